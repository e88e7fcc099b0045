// The System API Keys tab: the keys every user falls back on (provider, name, last four
// characters); add, replace, delete.

import { call } from "/static/api.js";
import { announce, confirmDialog, field, formDialog, h, keepingFocus, table, time, values } from "/static/ui.js";

let pane = null;
let context = null;

export async function show(element, ctx) {
  pane = element;
  context = ctx;
  await refresh();
}

export async function refresh() {
  const { systemApiKeys } = await call(`{ systemApiKeys { id provider name last4 createdAt updatedAt } }`);
  const act = (action, key) => () => action(key).catch((error) => context.fail(error));
  const rows = systemApiKeys.map((key) =>
    h(
      "tr",
      { "data-provider": key.provider },
      h("th", { scope: "row" }, key.provider),
      h("td", {}, key.name),
      h("td", {}, h("code", {}, `…${key.last4}`)),
      h("td", {}, time(key.createdAt)),
      h("td", {}, time(key.updatedAt)),
      h(
        "td",
        { class: "row-actions" },
        h("button", { type: "button", class: "secondary", onclick: act(replaceKey, key) }, "Replace"),
        h("button", { type: "button", class: "danger", onclick: act(deleteKey, key) }, "Delete"),
      ),
    ),
  );
  keepingFocus(pane, () => {
    pane.replaceChildren(
      h("p", { class: "muted" }, "System keys apply to every user who has no key of their own for the provider."),
      rows.length
        ? table("System API keys", ["Provider", "Name", "Key", "Added", "Updated", ""], rows)
        : h("p", { class: "muted" }, "No system API keys."),
      h("button", { type: "button", class: "primary", id: "add-system-key", onclick: act(addKey) }, "Add system key"),
    );
  });
}

function keyFields(withProvider) {
  return [
    withProvider ? field("Provider (e.g. openai)", "provider", { idPrefix: "key", autocomplete: "off" }) : null,
    field("Name (optional)", "name", { idPrefix: "key", autocomplete: "off" }),
    field(withProvider ? "Key" : "New key (blank keeps the current one)", "key", { idPrefix: "key", type: "password", autocomplete: "off" }),
  ];
}

async function addKey() {
  await formDialog("Add system API key", keyFields(true), "Add", async (form) => {
    const input = values(form);
    await call(`mutation($input: ApiKeyInput!) { createSystemApiKey(input: $input) { id } }`, {
      input: { provider: input.provider.trim(), name: input.name.trim() || null, key: input.key },
    });
    announce(`Added the ${input.provider.trim()} key`);
  });
  await refresh();
}

async function replaceKey(key) {
  await formDialog(`Replace the ${key.provider} system key`, keyFields(false), "Save", async (form) => {
    const input = values(form);
    await call(`mutation($id: ID!, $name: String, $key: String) { updateSystemApiKey(id: $id, name: $name, key: $key) { id } }`, {
      id: key.id, name: input.name.trim() || null, key: input.key || null,
    });
    announce(`Saved the ${key.provider} key`);
  });
  await refresh();
}

async function deleteKey(key) {
  const sure = await confirmDialog("Delete system API key", `Delete the ${key.provider} system key ending in ${key.last4}? Users without a key of their own lose access to ${key.provider}.`, "Delete");
  if (!sure) return;
  await call(`mutation($id: ID!) { deleteSystemApiKey(id: $id) }`, { id: key.id });
  announce(`Deleted the ${key.provider} key`);
  await refresh();
}
