// The Users tab: every account, newest first, searched and paged by the server (the
// `users` connection), with the guide's actions: Create User, edit, reset password,
// disable / enable, delete (with what it removes), and the account's history.

import { USER_FIELDS, call } from "/static/api.js";
import {
  Pages, announce, badge, confirmDialog, field, formDialog, h, iconButton, keepingFocus, table, time, values,
} from "/static/ui.js";

const PAGE_SIZE = 25;
const USERS = `query($first: Int, $after: String, $search: String) {
  users(first: $first, after: $after, search: $search) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { ${USER_FIELDS} } } } }`;

let pane = null;
let context = null;
let search = "";
const pages = new Pages(PAGE_SIZE, () => refresh());
let built = false;

export async function show(element, ctx) {
  pane = element;
  context = ctx;
  if (!built) build();
  await refresh();
}

function build() {
  built = true;
  let typing = null;
  const searchBox = h("input", {
    id: "user-search", type: "search", name: "search", placeholder: "Username, name or email",
    oninput: (event) => {
      clearTimeout(typing);
      typing = setTimeout(() => {
        search = event.target.value.trim();
        pages.reset();
        refresh().catch((error) => context.fail(error));
      }, 250);
    },
  });
  pane.replaceChildren(
    h(
      "div",
      { class: "toolbar" },
      h("div", { class: "field inline" }, h("label", { for: "user-search" }, "Search users"), searchBox),
      h("button", { type: "button", class: "primary", id: "create-user", onclick: createUser }, "Create User"),
    ),
    h("div", { id: "users-table" }),
    h("nav", { class: "pager", "aria-label": "Pages of users" }),
  );
}

/** Loads the current page again (after a change, here or elsewhere). */
export async function refresh() {
  const { users } = await call(USERS, { first: PAGE_SIZE, after: pages.after, search: search || null });
  const rows = users.edges.map(({ node }) => row(node));
  keepingFocus(pane, () => {
    pane.querySelector("#users-table").replaceChildren(
      rows.length
        ? table("Users, newest first", ["Username", "Display name", "Email", "Role", "Created", "Personas", "Sessions", "API keys", "Actions"], rows)
        : h("p", { class: "muted" }, search ? "No user matches." : "No users."),
    );
    pages.render(pane.querySelector(".pager"), users, rows.length, "users", (error) => context.fail(error));
  });
}

function row(user) {
  const self = user.id === context.me.id;
  const act = (action) => () => action(user).catch((error) => context.fail(error));
  return h(
    "tr",
    { "data-username": user.username },
    h("th", { scope: "row" }, user.username),
    h("td", {}, user.displayName),
    h("td", {}, user.email || h("span", { class: "muted" }, "—")),
    h(
      "td",
      {},
      user.isAdmin ? badge("Admin", "admin") : "User",
      user.disabled ? badge("Disabled", "disabled") : null,
      user.mustChangePassword ? badge("Must change password", "") : null,
    ),
    h("td", {}, time(user.createdAt)),
    h("td", { class: "num", "data-count": "personas" }, user.stats.personas),
    h("td", { class: "num", "data-count": "sessions" }, user.stats.activeSessions),
    h("td", { class: "num", "data-count": "apiKeys" }, user.stats.apiKeys),
    h(
      "td",
      { class: "row-actions" },
      iconButton("edit", `Edit ${user.username}`, act(editUser)),
      h("button", { type: "button", class: "secondary", "data-action": "reset", onclick: act(resetPassword) }, "Reset password"),
      user.disabled
        ? h("button", { type: "button", class: "secondary", "data-action": "enable", onclick: act(enableUser) }, "Enable")
        : h("button", { type: "button", class: "secondary", "data-action": "disable", onclick: act(disableUser), disabled: self, title: self ? "You cannot disable yourself" : null }, "Disable"),
      h("button", { type: "button", class: "secondary", "data-action": "sessions", onclick: () => context.open("sessions", { user }) }, "Sessions"),
      h("button", { type: "button", class: "secondary", "data-action": "history", onclick: () => context.open("audit", { user }) }, "History"),
      iconButton("delete", `Delete ${user.username}`, act(deleteUser), {
        disabled: self, title: self ? "You cannot delete yourself" : `Delete ${user.username}`,
      }),
    ),
  );
}

async function createUser() {
  await formDialog(
    "Create User",
    [
      field("Username (3–50 characters, unique)", "username", { idPrefix: "create", autocomplete: "off", required: true }),
      field("Display Name", "displayName", { idPrefix: "create", autocomplete: "off" }),
      field("Email (optional)", "email", { idPrefix: "create", type: "email", autocomplete: "off" }),
      field("Password (at least 6 characters)", "password", { idPrefix: "create", type: "password", autocomplete: "new-password", required: true }),
      field("Admin Role", "isAdmin", { idPrefix: "create", type: "checkbox" }),
      field("Require a new password at first login", "mustChangePassword", { idPrefix: "create", type: "checkbox" }),
    ],
    "Create",
    async (form) => {
      const input = values(form);
      const { createUser: user } = await call(
        `mutation($input: CreateUserInput!) { createUser(input: $input) { username } }`,
        {
          input: {
            username: input.username.trim(),
            displayName: input.displayName.trim() || null,
            email: input.email.trim() || null,
            password: input.password,
            isAdmin: input.isAdmin,
            mustChangePassword: input.mustChangePassword,
          },
        },
      );
      announce(`Created ${user.username}`);
    },
  );
  await refresh();
}

async function editUser(user) {
  const self = user.id === context.me.id;
  await formDialog(
    `Edit ${user.username}`,
    [
      field("Display Name", "displayName", { idPrefix: "edit", value: user.displayName, autocomplete: "off" }),
      field("Email", "email", { idPrefix: "edit", type: "email", value: user.email || "", autocomplete: "off" }),
      field("Admin Role", "isAdmin", { idPrefix: "edit", type: "checkbox", checked: user.isAdmin }),
      field("Password (leave blank to keep the current one)", "password", { idPrefix: "edit", type: "password", autocomplete: "new-password" }),
      self ? h("p", { class: "muted" }, "This is your own account.") : null,
    ],
    "Save",
    async (form) => {
      const input = values(form);
      await call(
        `mutation($id: ID!, $input: UpdateUserInput!, $version: Int) {
          updateUser(id: $id, input: $input, expectedVersion: $version) { id } }`,
        {
          id: user.id,
          version: user.version,
          input: {
            displayName: input.displayName.trim(),
            email: input.email.trim(),
            isAdmin: input.isAdmin,
            password: input.password || null,
          },
        },
      );
      announce(`Saved ${user.username}`);
    },
  );
  await refresh();
}

async function resetPassword(user) {
  await formDialog(
    `Reset the password of ${user.username}`,
    [
      field("New password (at least 6 characters)", "password", { idPrefix: "reset", type: "password", autocomplete: "new-password" }),
      field("End their sessions", "revokeSessions", { idPrefix: "reset", type: "checkbox", checked: true }),
      field("Require a password change at next login", "requireChange", { idPrefix: "reset", type: "checkbox" }),
    ],
    "Reset password",
    async (form) => {
      const input = values(form);
      await call(
        `mutation($id: ID!, $password: String!, $revoke: Boolean, $require: Boolean, $version: Int) {
          resetPassword(id: $id, password: $password, revokeSessions: $revoke, requireChange: $require,
            expectedVersion: $version) { id } }`,
        { id: user.id, password: input.password, revoke: input.revokeSessions, require: input.requireChange, version: user.version },
      );
      announce(`Password of ${user.username} reset`);
    },
  );
  await refresh();
}

async function disableUser(user) {
  const sure = await confirmDialog(
    `Disable ${user.username}`,
    `${user.username} will not be able to log in, and their sessions stop at once. Their personas, keys and data stay.`,
    "Disable",
  );
  if (!sure) return;
  await call(`mutation($id: ID!, $version: Int) { disableUser(id: $id, expectedVersion: $version) { id } }`, { id: user.id, version: user.version });
  announce(`Disabled ${user.username}`);
  await refresh();
}

async function enableUser(user) {
  await call(`mutation($id: ID!, $version: Int) { enableUser(id: $id, expectedVersion: $version) { id } }`, { id: user.id, version: user.version });
  announce(`Enabled ${user.username}`);
  await refresh();
}

async function deleteUser(user) {
  const count = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  const sure = await confirmDialog(
    `Delete ${user.username}`,
    `Delete ${user.username} for good? This cannot be undone. It removes:`,
    "Delete",
    {
      items: [
        `${count(user.stats.activeSessions, "active session", "active sessions")} (logged out immediately)`,
        count(user.stats.personas, "persona", "personas"),
        count(user.stats.apiKeys, "API key", "API keys"),
        "their ontologies",
        "their annotations",
      ],
    },
  );
  if (!sure) return;
  await call(`mutation($id: ID!, $version: Int) { deleteUser(id: $id, expectedVersion: $version) }`, { id: user.id, version: user.version });
  announce(`Deleted ${user.username}`);
  await refresh();
}
