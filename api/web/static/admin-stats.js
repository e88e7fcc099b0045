// The Statistics tab: the deployment's totals (the per-user counts are in the Users table).

import { call } from "/static/api.js";
import { h } from "/static/ui.js";

let pane = null;

export async function show(element) {
  pane = element;
  await refresh();
}

export async function refresh() {
  const { stats } = await call(`{ stats { users admins activeSessions personas apiKeys systemApiKeys } }`);
  const figures = [
    ["Users", stats.users],
    ["Administrators", stats.admins],
    ["Active sessions", stats.activeSessions],
    ["Personas", stats.personas],
    ["Users' API keys", stats.apiKeys],
    ["System API keys", stats.systemApiKeys],
  ];
  pane.replaceChildren(
    h("dl", { class: "stats" }, figures.map(([label, value]) => h("div", { class: "stat" }, h("dt", {}, label), h("dd", {}, value)))),
  );
}
