/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type UpdateIntegrationDto = {
    name?: string;
    /**
     * A disabled integration keeps its status but is not health-checked
     */
    isEnabled?: boolean;
    /**
     * Provider settings and credentials as a JSON object (or a string holding one), at most 10 KB. Stored encrypted; reads show secret fields as "********", and sending "********" back keeps the stored secret. Fields per provider: Stripe {apiKey, webhookSecret?, currency?}; PayPal {clientId, clientSecret, currency?}; SendGrid {apiKey, fromEmail, testRecipient?}; Twilio {accountSid, authToken, fromNumber, testToNumber?}; HubSpot {accessToken}; GoogleCalendar {clientId, clientSecret, calendarId?, scopes?}; MicrosoftOutlook {clientId, clientSecret, directoryTenant?, scopes?}; Custom {baseUrl, healthPath?, testPath?, auth?: {type: none|header|bearer|basic|oauth2_client_credentials, …}}.
     */
    configuration?: Record<string, any>;
};

