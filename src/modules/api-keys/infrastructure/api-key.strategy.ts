import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { ApiKeyVerifier, VerifiedKey } from './api-key-verifier';

export const API_KEY_STRATEGY = 'headerapikey';

/** passport-headerapikey reads `X-API-Key`; the verifier does the rest. */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(HeaderAPIKeyStrategy, API_KEY_STRATEGY) {
  constructor(private readonly verifier: ApiKeyVerifier) {
    // passReqToCallback stays false: with it, passport-headerapikey passes the request after the callback,
    // and @nestjs/passport takes the last argument as the callback.
    super({ header: 'X-API-Key', prefix: '' }, false);
  }

  validate(apiKey: string): Promise<VerifiedKey> {
    return this.verifier.verify(apiKey);
  }
}
