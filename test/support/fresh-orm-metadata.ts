import { MetadataStorage } from '@mikro-orm/core';

/**
 * MikroORM keeps decorator metadata in a process-wide store, while jest loads every test file's modules
 * afresh: without this, the second file in a process would meet the first file's entity metadata.
 */
MetadataStorage.clear();
