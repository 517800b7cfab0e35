/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type RegisterEventTypeDto = {
    /**
     * Letters, digits and _ . : - ; starts with a letter
     */
    name: string;
    description?: string;
    /**
     * A JSON schema (draft-07) that published data must match (422 otherwise). A $ref must point inside it; pattern and patternProperties run on RE2, without backreferences or lookarounds
     */
    schema?: Record<string, any>;
};

