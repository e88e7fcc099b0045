// Roster's GraphQL API as the pages speak it: one POST /graphql per call, with the session
// cookie (HttpOnly: no script ever sees the token). Every error becomes an ApiError with the
// API's code, so a page can show it beside the field it concerns.

/** An error the API answered: its message as the API wrote it, and its code. */
export class ApiError extends Error {
  constructor(message, code, extensions = {}) {
    super(message);
    this.code = code;
    this.extensions = extensions;
  }
}

/** Sends one GraphQL operation and answers its data; throws ApiError on any error. */
export async function gql(query, variables = {}) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError("The server cannot be reached", "UNAVAILABLE");
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The server answered ${response.status}`, "INTERNAL");
  }
  if (Array.isArray(body.errors) && body.errors.length > 0) {
    const first = body.errors[0];
    const extensions = first.extensions || {};
    throw new ApiError(first.message, extensions.code || "INTERNAL", extensions);
  }
  return body.data;
}

/**
 * Like gql, but a session that stopped working sends the browser to the login page, and an
 * account that must change its password to My account, where it can.
 */
export async function call(query, variables = {}) {
  try {
    return await gql(query, variables);
  } catch (error) {
    followSessionError(error);
    throw error;
  }
}

/** Leaves the page when `error` says the caller is no longer signed in, or must first change their password. */
export function followSessionError(error) {
  if (!(error instanceof ApiError)) return;
  if (error.code === "UNAUTHENTICATED") {
    const here = location.pathname + location.hash;
    location.assign(`/login?next=${encodeURIComponent(here)}`);
  } else if (error.code === "PASSWORD_CHANGE_REQUIRED" && location.pathname !== "/account") {
    location.assign("/account#password");
  }
}

/** The fields of a user the pages show. */
export const USER_FIELDS = `id username displayName email isAdmin disabled mustChangePassword
  totpEnabled createdAt updatedAt version stats { personas activeSessions apiKeys }`;

/** The signed-in user, or null. */
export async function me() {
  const data = await gql(`{ me { ${USER_FIELDS} } }`);
  return data.me;
}

/** Ends the current session and goes to the login page. */
export async function logout() {
  try {
    await gql("mutation { logout }");
  } finally {
    location.assign("/login");
  }
}

/** The field of a form an API message is about ("Username already exists" → username). */
export function fieldOf(message) {
  const prefixes = [
    ["Username", "username"],
    ["Display name", "displayName"],
    ["Email", "email"],
    ["Current password", "currentPassword"],
    ["Password", "password"],
    ["Provider", "provider"],
    ["API key for this provider", "provider"],
    ["Name", "name"],
  ];
  const found = prefixes.find(([prefix]) => message.startsWith(prefix));
  return found ? found[1] : null;
}
