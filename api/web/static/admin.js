// /admin, the Admin Panel: tabs Users, Sessions, System API Keys, Statistics and Audit.
// The API decides who may see it: a caller who is not (or no longer) an administrator gets
// FORBIDDEN and the panel gives way to "Admin access required". Changes made elsewhere
// arrive over the live feeds and refresh the open tab.

import { ApiError, followSessionError, me as whoAmI } from "/static/api.js";
import { watch } from "/static/live.js";
import { topbar } from "/static/topbar.js";
import { announce } from "/static/ui.js";
import * as users from "/static/admin-users.js";
import * as sessions from "/static/admin-sessions.js";
import * as keys from "/static/admin-keys.js";
import * as stats from "/static/admin-stats.js";
import * as audit from "/static/admin-audit.js";

const TABS = { users, sessions, keys, stats, audit };
const tabs = [...document.querySelectorAll("[role=tab]")];
let current = null;
let me = null;

/** Shows the refusal instead of the panel. */
function deny() {
  document.getElementById("panel").hidden = true;
  document.getElementById("denied").hidden = false;
}

/** What every tab gets: the signed-in administrator, a way to open another tab, and error handling. */
const context = {
  get me() {
    return me;
  },
  open: (name, options) => select(name, options),
  /** Handles an error of any action: leaves the panel when the caller lost it. */
  fail(error) {
    followSessionError(error);
    if (error instanceof ApiError && error.code === "FORBIDDEN" && error.message === "Admin access required") {
      deny();
    } else {
      announce(error instanceof ApiError ? error.message : "Something went wrong", true);
    }
  },
};

async function select(name, options = {}, focus = false) {
  if (!TABS[name]) name = "users";
  current = name;
  for (const tab of tabs) {
    const selected = tab.dataset.tab === name;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    document.getElementById(`pane-${tab.dataset.tab}`).hidden = !selected;
    if (selected && focus) tab.focus();
  }
  if (location.hash !== `#${name}`) history.replaceState(null, "", `#${name}`);
  try {
    await TABS[name].show(document.getElementById(`pane-${name}`), context, options);
  } catch (error) {
    context.fail(error);
  }
}

function wireTabs() {
  tabs.forEach((tab, index) => {
    tab.addEventListener("click", () => select(tab.dataset.tab));
    tab.addEventListener("keydown", (event) => {
      const moves = { ArrowRight: 1, ArrowLeft: -1 };
      let next = null;
      if (event.key in moves) next = tabs[(index + moves[event.key] + tabs.length) % tabs.length];
      if (event.key === "Home") next = tabs[0];
      if (event.key === "End") next = tabs[tabs.length - 1];
      if (next) {
        event.preventDefault();
        select(next.dataset.tab, {}, true);
      }
    });
  });
}

let pending = null;
/** Refreshes the open tab once after a burst of live changes. */
function changedElsewhere() {
  clearTimeout(pending);
  pending = setTimeout(() => {
    if (current && TABS[current].refresh) TABS[current].refresh().catch((error) => context.fail(error));
  }, 300);
}

async function start() {
  try {
    me = await whoAmI();
  } catch (error) {
    context.fail(error);
    return;
  }
  if (!me) {
    location.assign("/login?next=/admin");
    return;
  }
  if (me.mustChangePassword) {
    location.assign("/account#password");
    return;
  }
  topbar(me);
  if (!me.isAdmin) {
    deny();
    return;
  }
  document.getElementById("panel").hidden = false;
  wireTabs();
  await select(location.hash.slice(1));
  watch(changedElsewhere, (code) => (code === "UNAUTHENTICATED" ? location.assign("/login?next=/admin") : deny()));
}

start();
