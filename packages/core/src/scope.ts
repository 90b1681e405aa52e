// The AuthPI scope engine. A scope is `resource:action`: `resource` is
// dot-separated segments or exactly `*`, `action` is a word, `*` or `**`.
// Anything else — role scopes (`owner`, `admin`, `member`) included — is not a
// resource scope and grants nothing here. Nothing in this file throws.

export interface ParsedScope {
  readonly resource: string;
  readonly action: string;
}

const WORD = /^[\w-]+$/;
const RESOURCE = /^[\w-]+(?:\.[\w-]+)*$/;
const DOT = 46;

/** `{ resource, action }`, or `null` when `scope` is not a well-formed resource scope. */
export function parseScope(scope: unknown): ParsedScope | null {
  if (typeof scope !== "string") return null;
  const colon = scope.indexOf(":");
  if (colon < 0 || colon !== scope.lastIndexOf(":")) return null;
  const resource = scope.slice(0, colon);
  const action = scope.slice(colon + 1);
  if (resource !== "*" && !RESOURCE.test(resource)) return null;
  if (action !== "*" && action !== "**" && !WORD.test(action)) return null;
  return { resource, action };
}

/** A request names one concrete action on one concrete resource: no wildcards. */
function isRequest(action: unknown, resource: unknown): action is string {
  return typeof action === "string" && typeof resource === "string" && WORD.test(action) && RESOURCE.test(resource);
}

function grants({ resource: granted, action: allowed }: ParsedScope, action: string, resource: string): boolean {
  if (granted === "*") {
    if (allowed === "**") return true;
    // `*:read` and `*:*` reach top-level resources only.
    return resource.indexOf(".") < 0 && (allowed === "*" || allowed === action);
  }
  if (granted === resource) return allowed === "**" || allowed === "*" || allowed === action;
  // `projects:**` reaches `projects.tasks`, but not `projectsx`: the prefix must end at a dot.
  return allowed === "**" && resource.startsWith(granted) && resource.charCodeAt(granted.length) === DOT;
}

/**
 * Whether any of `scopes` grants `action` on `resource`. For one-off checks;
 * agents precompile their scopes into a {@link ScopeSet} instead.
 */
export function hasAccess(scopes: unknown, action: string, resource: string): boolean {
  return explainAccess(scopes, action, resource) !== null;
}

/**
 * The first of `scopes` that grants `action` on `resource`, or `null`: the
 * answer to "why is this allowed?" (devtools, audit logs), under exactly
 * `hasAccess`'s rules, which are defined by this function.
 */
export function explainAccess(scopes: unknown, action: string, resource: string): string | null {
  if (!Array.isArray(scopes) || !isRequest(action, resource)) return null;
  for (const scope of scopes) {
    const parsed = parseScope(scope);
    if (parsed && grants(parsed, action, resource)) return scope as string;
  }
  return null;
}

/**
 * Scopes compiled once into lookup tables, so a check on the render path is a
 * few hash lookups with no parsing and no allocation. Same answers as
 * {@link hasAccess} on the same scopes.
 */
export class ScopeSet {
  /** resource → actions granted by name */
  readonly #exact = new Map<string, Set<string>>();
  /** resources granted every action (`users:*`) */
  readonly #anyAction = new Set<string>();
  /** resources granted every action on themselves and descendants (`projects:**`) */
  readonly #deep = new Set<string>();
  /** the same resources with a trailing dot, for the descendant test */
  readonly #deepPrefixes: string[] = [];
  /** actions granted on every top-level resource (`*:read`) */
  readonly #topActions = new Set<string>();
  #topAny = false;
  #all = false;

  constructor(scopes: Iterable<unknown>) {
    for (const scope of scopes) {
      const parsed = parseScope(scope);
      if (!parsed) continue;
      const { resource, action } = parsed;
      if (resource === "*") {
        if (action === "**") this.#all = true;
        else if (action === "*") this.#topAny = true;
        else this.#topActions.add(action);
      } else if (action === "**") {
        if (!this.#deep.has(resource)) this.#deepPrefixes.push(`${resource}.`);
        this.#deep.add(resource);
      } else if (action === "*") {
        this.#anyAction.add(resource);
      } else {
        let actions = this.#exact.get(resource);
        if (!actions) this.#exact.set(resource, (actions = new Set()));
        actions.add(action);
      }
    }
  }

  has(action: string, resource: string): boolean {
    if (!isRequest(action, resource)) return false;
    if (this.#all) return true;
    if (this.#exact.get(resource)?.has(action)) return true;
    if (this.#anyAction.has(resource) || this.#deep.has(resource)) return true;
    if (resource.indexOf(".") < 0 && (this.#topAny || this.#topActions.has(action))) return true;
    for (const prefix of this.#deepPrefixes) if (resource.startsWith(prefix)) return true;
    return false;
  }
}
