/** Who is acting: carried by every command so handlers can check ownership and the audit trail can say who. */
export interface Actor {
  tenantId: string;
  /** The authenticated API key; null when the system acts (scheduled jobs, bootstrap). */
  apiKeyId: string | null;
  scopes: readonly string[];
  ip: string | null;
  requestId: string | null;
}

export function systemActor(tenantId: string, scopes: readonly string[] = []): Actor {
  return { tenantId, apiKeyId: null, scopes, ip: null, requestId: null };
}

/** A command that acts on someone's behalf. The unit of work reads the actor for the audit trail. */
export interface ActingCommand {
  readonly actor: Actor;
}
