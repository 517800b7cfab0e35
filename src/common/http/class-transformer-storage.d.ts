// The compiled module class-transformer's own storage.d.ts describes (the package maps no subpath to its types).
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
