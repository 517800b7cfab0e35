/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type TenantDto = {
    id: string;
    name: string;
    maxActiveApiKeys: number | null;
    createdAt: string;
};

