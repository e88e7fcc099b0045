// /account, My account: one's own profile, password (also the forced change after an
// administrator's reset), sessions (the current one marked, the others revocable) and
// model-service API keys.

import { call, me as whoAmI } from "/static/api.js";
import { topbar } from "/static/topbar.js";
import {
  announce, badge, confirmDialog, field, formDialog, h, keepingFocus, onSubmit, sessionCells, table, time, values,
} from "/static/ui.js";

const root = document.getElementById("account");

async function start() {
  let me;
  try {
    me = await whoAmI();
  } catch (error) {
    root.replaceChildren(h("p", { class: "form-error" }, error.message));
    return;
  }
  if (!me) {
    location.assign("/login?next=/account");
    return;
  }
  topbar(me);
  const forced = me.mustChangePassword;
  document.getElementById("forced-change").hidden = !forced;
  const sections = [passwordSection(me)];
  if (!forced) sections.unshift(profileSection(me));
  if (!forced) sections.push(await sessionsSection(), await keysSection());
  root.replaceChildren(...sections);
  root.removeAttribute("aria-busy");
  if (forced || location.hash === "#password") document.getElementById("password-currentPassword").focus();
}

/** A form section: a heading, fields, a submit button; `submit` answers a message to announce. */
function formSection(id, title, fields, action, submit) {
  const form = h(
    "form",
    { novalidate: true, "aria-labelledby": `${id}-title` },
    h("p", { class: "form-error", role: "alert", tabindex: "-1" }),
    fields,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, action)),
  );
  onSubmit(form, async () => announce(await submit(form)));
  return h("section", { id, class: "card" }, h("h2", { id: `${id}-title` }, title), form);
}

function profileSection(me) {
  return formSection(
    "profile",
    "Profile",
    [
      h("p", {}, "Username: ", h("strong", {}, me.username), me.isAdmin ? badge("Admin", "admin") : null),
      field("Display Name", "displayName", { idPrefix: "profile", value: me.displayName }),
      field("Email", "email", { idPrefix: "profile", type: "email", value: me.email || "" }),
    ],
    "Save profile",
    async (form) => {
      const input = values(form);
      await call(
        `mutation($displayName: String, $email: String) {
          updateMyProfile(displayName: $displayName, email: $email) { id } }`,
        { displayName: input.displayName.trim(), email: input.email.trim() },
      );
      return "Profile saved";
    },
  );
}

function passwordSection(me) {
  return formSection(
    "password",
    "Change password",
    [
      field("Current password", "currentPassword", { idPrefix: "password", type: "password", autocomplete: "current-password" }),
      field("New password (at least 6 characters)", "password", { idPrefix: "password", type: "password", autocomplete: "new-password" }),
      field("Repeat the new password", "repeat", { idPrefix: "password", type: "password", autocomplete: "new-password" }),
    ],
    "Change password",
    async (form) => {
      const input = values(form);
      if (input.password !== input.repeat) {
        const slot = form.querySelector('[data-error-for="repeat"]');
        slot.textContent = "The two new passwords differ";
        form.elements.namedItem("repeat").focus();
        return "";
      }
      await call(
        `mutation($current: String!, $next: String!) { changePassword(currentPassword: $current, newPassword: $next) }`,
        { current: input.currentPassword, next: input.password },
      );
      form.reset();
      if (me.mustChangePassword) {
        await start();
        return "Password changed";
      }
      await refreshSessions();
      return "Password changed; your other sessions ended";
    },
  );
}

async function sessionsSection() {
  const section = h("section", { id: "sessions", class: "card" }, h("h2", {}, "My sessions"), h("div", { id: "my-sessions" }));
  await refreshSessions(section);
  return section;
}

async function refreshSessions(section = document.getElementById("sessions")) {
  if (!section) return;
  const { mySessions } = await call(`{ mySessions { id createdAt lastSeenAt expiresAt userAgent ip tokenHint current } }`);
  const rows = mySessions.map((session) =>
    h(
      "tr",
      { "data-session": session.id },
      sessionCells(session),
      h(
        "td",
        {},
        session.current
          ? badge("This session", "current")
          : h("button", { type: "button", class: "secondary", onclick: () => revokeMine(session) }, "Revoke"),
      ),
    ),
  );
  keepingFocus(section, () => {
    section.querySelector("#my-sessions").replaceChildren(
      table("My sessions", ["Started", "Last seen", "Expires", "Browser", "Address", "Token", ""], rows),
    );
  });
}

async function revokeMine(session) {
  if (!(await confirmDialog("Revoke session", "End this session? The browser using it is signed out at its next request.", "Revoke"))) return;
  await call(`mutation($id: ID!) { revokeMySession(id: $id) }`, { id: session.id });
  announce("Session revoked");
  await refreshSessions();
}

async function keysSection() {
  const section = h("section", { id: "keys", class: "card" }, h("h2", {}, "My API keys"), h("div", { id: "my-keys" }));
  await refreshKeys(section);
  return section;
}

async function refreshKeys(section = document.getElementById("keys")) {
  const { myApiKeys } = await call(`{ myApiKeys { id provider name last4 createdAt updatedAt } }`);
  const rows = myApiKeys.map((key) =>
    h(
      "tr",
      {},
      h("td", {}, key.provider),
      h("td", {}, key.name),
      h("td", {}, h("code", {}, `…${key.last4}`)),
      h("td", {}, time(key.updatedAt)),
      h(
        "td",
        { class: "row-actions" },
        h("button", { type: "button", class: "secondary", onclick: () => replaceKey(key) }, "Replace"),
        h("button", { type: "button", class: "danger", onclick: () => deleteKey(key) }, "Delete"),
      ),
    ),
  );
  keepingFocus(section, () => {
    section.querySelector("#my-keys").replaceChildren(
      myApiKeys.length ? table("My API keys", ["Provider", "Name", "Key", "Updated", ""], rows) : h("p", { class: "muted" }, "No API keys yet."),
      h("button", { type: "button", class: "primary", onclick: addKey }, "Add API key"),
    );
  });
}

function keyFields(withProvider) {
  return [
    withProvider ? field("Provider (e.g. openai)", "provider", { autocomplete: "off" }) : null,
    field("Name (optional)", "name", { autocomplete: "off" }),
    field("Key", "key", { type: "password", autocomplete: "off" }),
  ];
}

async function addKey() {
  await formDialog("Add API key", keyFields(true), "Add", async (form) => {
    const input = values(form);
    await call(`mutation($input: ApiKeyInput!) { createApiKey(input: $input) { id } }`, {
      input: { provider: input.provider.trim(), name: input.name.trim() || null, key: input.key },
    });
  });
  await refreshKeys();
}

async function replaceKey(key) {
  await formDialog(`Replace the ${key.provider} key`, keyFields(false), "Save", async (form) => {
    const input = values(form);
    await call(`mutation($id: ID!, $name: String, $key: String) { updateApiKey(id: $id, name: $name, key: $key) { id } }`, {
      id: key.id, name: input.name.trim() || null, key: input.key || null,
    });
  });
  await refreshKeys();
}

async function deleteKey(key) {
  if (!(await confirmDialog("Delete API key", `Delete your ${key.provider} key ending in ${key.last4}?`, "Delete"))) return;
  await call(`mutation($id: ID!) { deleteApiKey(id: $id) }`, { id: key.id });
  announce("API key deleted");
  await refreshKeys();
}

start();
