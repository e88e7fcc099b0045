// The Audit tab: a user's history (events about them) or an actor's (what they caused),
// newest first, each with who, when, what about and the fields it changed, before → after.

import { call } from "/static/api.js";
import { Pages, h, keepingFocus, table, time } from "/static/ui.js";

const PAGE_SIZE = 25;
const AUDIT = `query($userId: ID, $actorId: ID, $first: Int, $after: String) {
  auditLog(userId: $userId, actorId: $actorId, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { position type at actor { id username } subject { kind id label } changes { field before after } } } } }`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

let pane = null;
let context = null;
let query = null; // { userId, actorId, title }
const pages = new Pages(PAGE_SIZE, () => refresh());
let built = false;

export async function show(element, ctx, options = {}) {
  pane = element;
  context = ctx;
  if (!built) build();
  if (options.user) {
    pane.querySelector("#audit-who").value = options.user.username;
    pane.querySelector("#audit-role").value = "about";
    query = { userId: options.user.id, actorId: null, title: `History of ${options.user.username}` };
    pages.reset();
  }
  await refresh();
}

function build() {
  built = true;
  const form = h(
    "form",
    { class: "toolbar", novalidate: true },
    h("div", { class: "field inline" }, h("label", { for: "audit-who" }, "User (username or id)"), h("input", { id: "audit-who", name: "who", autocomplete: "off", "aria-describedby": "audit-who-error" })),
    h(
      "div",
      { class: "field inline" },
      h("label", { for: "audit-role" }, "Show"),
      h("select", { id: "audit-role", name: "role" }, h("option", { value: "about" }, "what happened to them"), h("option", { value: "by" }, "what they did")),
    ),
    h("button", { type: "submit", class: "secondary" }, "Show history"),
    h("p", { class: "field-error", id: "audit-who-error" }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    choose(form).catch((error) => context.fail(error));
  });
  pane.replaceChildren(form, h("div", { id: "audit-table" }), h("nav", { class: "pager", "aria-label": "Pages of the audit log" }));
}

async function choose(form) {
  const who = form.elements.namedItem("who").value.trim();
  const role = form.elements.namedItem("role").value;
  const error = pane.querySelector("#audit-who-error");
  error.textContent = "";
  let id = who;
  let name = who;
  if (who !== "system" && !UUID.test(who)) {
    const { user } = await call(`query($username: String) { user(username: $username) { id username } }`, { username: who });
    if (!user) {
      error.textContent = `No user named ${who} (a deleted user is found by id)`;
      return;
    }
    id = user.id;
    name = user.username;
  }
  query = role === "by"
    ? { userId: null, actorId: id, title: `What ${name} did` }
    : { userId: id, actorId: null, title: `History of ${name}` };
  pages.reset();
  await refresh();
}

function changes(list) {
  if (list.length === 0) return h("span", { class: "muted" }, "—");
  const shown = (value) => (value === null ? "∅" : value);
  return h("ul", { class: "changes" }, list.map((c) => h("li", {}, h("strong", {}, c.field), `: ${shown(c.before)} → ${shown(c.after)}`)));
}

export async function refresh() {
  const target = pane.querySelector("#audit-table");
  if (!query) {
    target.replaceChildren(h("p", { class: "muted" }, "Choose a user to see their history, or what they did (\"system\" for Roster's own)."));
    pane.querySelector(".pager").replaceChildren();
    return;
  }
  const { auditLog } = await call(AUDIT, { userId: query.userId, actorId: query.actorId, first: PAGE_SIZE, after: pages.after });
  const rows = auditLog.edges.map(({ node }) =>
    h(
      "tr",
      { "data-type": node.type },
      h("td", {}, time(node.at)),
      h("th", { scope: "row" }, node.type),
      h("td", {}, node.actor.username || node.actor.id),
      h("td", {}, node.subject ? `${node.subject.kind} ${node.subject.label || node.subject.id}` : "—"),
      h("td", {}, changes(node.changes)),
    ),
  );
  keepingFocus(pane, () => {
    target.replaceChildren(rows.length ? table(query.title, ["When", "Event", "By", "About", "Changes"], rows) : h("p", { class: "muted" }, "No entries."));
    pages.render(pane.querySelector(".pager"), auditLog, rows.length, "entries", (error) => context.fail(error), ["Newer", "Older"]);
  });
}
