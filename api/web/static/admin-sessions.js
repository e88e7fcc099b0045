// The Sessions tab: every active session (newest first, paged by the server), filtered by
// user; revoke one, all of one user's, or log out everyone (each behind a confirmation).

import { call } from "/static/api.js";
import { Pages, announce, badge, confirmDialog, h, keepingFocus, sessionCells, table } from "/static/ui.js";

const PAGE_SIZE = 50;
const SESSIONS = `query($userId: ID, $first: Int, $after: String) {
  sessions(userId: $userId, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id createdAt lastSeenAt expiresAt userAgent ip tokenHint current user { id username } } } } }`;

let pane = null;
let context = null;
let filter = null; // { id, username } of the user shown, or null for everyone
const pages = new Pages(PAGE_SIZE, () => refresh());
let built = false;

export async function show(element, ctx, options = {}) {
  pane = element;
  context = ctx;
  if (!built) build();
  if (options.user) {
    filter = { id: options.user.id, username: options.user.username };
    pane.querySelector("#session-user").value = filter.username;
    pages.reset();
  }
  await refresh();
}

function build() {
  built = true;
  const form = h(
    "form",
    { class: "toolbar", novalidate: true },
    h(
      "div",
      { class: "field inline" },
      h("label", { for: "session-user" }, "Filter by user"),
      h("input", { id: "session-user", name: "username", placeholder: "Username", autocomplete: "off", "aria-describedby": "session-user-error" }),
    ),
    h("button", { type: "submit", class: "secondary" }, "Filter"),
    h("button", { type: "button", class: "secondary", id: "session-clear", onclick: clear }, "All users"),
    h("span", { class: "spacer" }),
    h("button", { type: "button", class: "danger", id: "logout-everyone", onclick: () => everyone().catch((e) => context.fail(e)) }, "Log out everyone"),
    h("p", { class: "field-error", id: "session-user-error", "data-error-for": "username" }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    applyFilter(form).catch((error) => context.fail(error));
  });
  pane.replaceChildren(form, h("div", { id: "user-sessions-actions" }), h("div", { id: "sessions-table" }), h("nav", { class: "pager", "aria-label": "Pages of sessions" }));
}

async function applyFilter(form) {
  const username = form.elements.namedItem("username").value.trim();
  const error = pane.querySelector("#session-user-error");
  error.textContent = "";
  pages.reset();
  if (!username) {
    filter = null;
  } else {
    const { user } = await call(`query($username: String) { user(username: $username) { id username } }`, { username });
    if (!user) {
      error.textContent = `No user named ${username}`;
      return;
    }
    filter = user;
  }
  await refresh();
}

function clear() {
  filter = null;
  pages.reset();
  pane.querySelector("#session-user").value = "";
  refresh().catch((error) => context.fail(error));
}

export async function refresh() {
  const { sessions } = await call(SESSIONS, { userId: filter ? filter.id : null, first: PAGE_SIZE, after: pages.after });
  const rows = sessions.edges.map(({ node }) => row(node));
  keepingFocus(pane, () => {
    pane.querySelector("#user-sessions-actions").replaceChildren(
      filter
        ? h("button", { type: "button", class: "danger", id: "revoke-user-sessions", onclick: () => revokeUser(filter).catch((e) => context.fail(e)) }, `Revoke all sessions of ${filter.username}`)
        : "",
    );
    const title = filter ? `Active sessions of ${filter.username}` : "Active sessions";
    pane.querySelector("#sessions-table").replaceChildren(
      rows.length
        ? table(title, ["User", "Started", "Last seen", "Expires", "Browser", "Address", "Token", ""], rows)
        : h("p", { class: "muted" }, "No active sessions."),
    );
    pages.render(pane.querySelector(".pager"), sessions, rows.length, "sessions", (error) => context.fail(error));
  });
}

function row(session) {
  return h(
    "tr",
    { "data-session": session.id, "data-username": session.user.username },
    h("th", { scope: "row" }, session.user.username),
    sessionCells(session),
    h(
      "td",
      {},
      session.current
        ? badge("This session", "current")
        : h("button", { type: "button", class: "secondary", "aria-label": `Revoke session ${session.tokenHint} of ${session.user.username}`, onclick: () => revoke(session).catch((e) => context.fail(e)) }, "Revoke"),
    ),
  );
}

async function revoke(session) {
  const sure = await confirmDialog("Revoke session", `End this session of ${session.user.username}? That browser is signed out at its next request.`, "Revoke");
  if (!sure) return;
  await call(`mutation($id: ID!) { revokeSession(id: $id) }`, { id: session.id });
  announce(`Session of ${session.user.username} revoked`);
  await refresh();
}

async function revokeUser(user) {
  const sure = await confirmDialog("Revoke all sessions", `End every session of ${user.username}? They must log in again.`, "Revoke all");
  if (!sure) return;
  const { revokeUserSessions: ended } = await call(`mutation($id: ID!) { revokeUserSessions(userId: $id) }`, { id: user.id });
  announce(`${ended} session(s) of ${user.username} revoked`);
  await refresh();
}

async function everyone() {
  const sure = await confirmDialog(
    "Log out everyone",
    "End every session on this server except yours? Everyone else must log in again.",
    "Log out everyone",
  );
  if (!sure) return;
  const { revokeAllSessions: ended } = await call("mutation { revokeAllSessions }");
  announce(`${ended} session(s) ended`);
  await refresh();
}
