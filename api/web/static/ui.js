// The pieces every page is built from: elements, dates in the browser's locale, form errors
// beside their field, and dialogs that take the focus and give it back.

import { ApiError, fieldOf } from "/static/api.js";

/** Builds an element: h("button", { class: "x", onclick: f }, "text", child...). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** A <time> showing an RFC 3339 instant in the browser's locale and time zone. */
export function time(iso) {
  if (!iso) return h("span", { class: "muted" }, "—");
  return h("time", { datetime: iso, title: iso }, DATE.format(new Date(iso)));
}

/** A small label: "Admin", "Disabled", "This session". */
export function badge(text, kind = "") {
  return h("span", { class: `badge ${kind}` }, text);
}

/** An icon button: an image with no text of its own, named by its aria-label. */
export function iconButton(icon, label, onclick, attributes = {}) {
  return h(
    "button",
    { type: "button", class: "icon", "aria-label": label, title: label, onclick, ...attributes },
    h("img", { src: `/static/${icon}.svg`, alt: "", width: 18, height: 18 }),
  );
}

/** A labelled input: <label>Text <input name=...></label> with a place for its error. */
export function field(label, name, attributes = {}) {
  const id = `${attributes.idPrefix || "f"}-${name}`;
  delete attributes.idPrefix;
  const input = h("input", { id, name, "aria-describedby": `${id}-error`, ...attributes });
  const row = h(
    "div",
    { class: attributes.type === "checkbox" ? "field check" : "field" },
    h("label", { for: id }, label),
    input,
    h("p", { class: "field-error", id: `${id}-error`, "data-error-for": name }),
  );
  return row;
}

/** Clears a form's errors. */
export function clearErrors(form) {
  for (const message of form.querySelectorAll(".field-error, .form-error")) message.textContent = "";
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
}

/**
 * Shows `error` beside the field it concerns (by its message), or at the top of the form;
 * moves the focus to that field.
 */
export function showError(form, error) {
  const message = error instanceof ApiError ? error.message : "Something went wrong";
  const name = error instanceof ApiError ? fieldOf(message) : null;
  const slot = name && form.querySelector(`[data-error-for="${name}"]`);
  if (slot) {
    slot.textContent = message;
    const input = form.elements.namedItem(name);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
    return;
  }
  const general = form.querySelector(".form-error");
  if (general) {
    general.textContent = message;
    general.focus();
  } else {
    announce(message, true);
  }
}

/** Says something in the page's live region (a toast for sighted users). */
export function announce(message, isError = false) {
  const region = document.getElementById("status");
  if (!region) return;
  region.textContent = message;
  region.className = isError ? "status error" : "status";
  clearTimeout(announce.fading);
  announce.fading = setTimeout(() => {
    region.textContent = "";
  }, 8000);
}

/**
 * Opens a modal dialog holding `content` (built by the caller, with a form whose submit
 * handler returns true to close). Focus moves into the dialog, Escape cancels, and the focus
 * returns to what had it before. Answers when the dialog closes.
 */
export function openDialog(title, content, { wide = false } = {}) {
  const opener = document.activeElement;
  const heading = h("h2", { id: "dialog-title" }, title);
  const dialog = h("dialog", { "aria-labelledby": "dialog-title", class: wide ? "wide" : "" }, heading, content);
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (opener && typeof opener.focus === "function" && opener.isConnected) opener.focus();
      resolve(dialog.returnValue);
    });
    dialog.showModal();
    const first = dialog.querySelector("[autofocus], input:not([type=hidden]), button");
    if (first) first.focus();
  });
}

/**
 * Runs `handler(form)` when `form` is submitted: its errors cleared first, its submit button
 * disabled meanwhile, and an error shown beside its field (or atop the form) if it throws.
 */
export function onSubmit(form, handler) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await handler(form);
    } catch (error) {
      showError(form, error);
    } finally {
      button.disabled = false;
    }
  });
}

/**
 * A form in a dialog: `fields` (elements), a submit button `action`; `submit(form)` runs on
 * submit and closes the dialog unless it throws (its error is then shown in the form).
 */
export function formDialog(title, fields, action, submit, options = {}) {
  const form = h(
    "form",
    { method: "dialog", novalidate: true },
    h("p", { class: "form-error", role: "alert", tabindex: "-1" }),
    fields,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "secondary", value: "cancel", onclick: () => form.closest("dialog").close("cancel") }, "Cancel"),
      h("button", { type: "submit", class: options.danger ? "danger" : "primary" }, action),
    ),
  );
  onSubmit(form, async () => {
    await submit(form);
    form.closest("dialog").close("done");
  });
  return openDialog(title, form, options);
}

/** Asks to confirm: answers true when `action` was chosen. */
export async function confirmDialog(title, message, action, { items = [], danger = true } = {}) {
  const body = [h("p", {}, message)];
  if (items.length > 0) body.push(h("ul", { class: "consequences" }, items.map((item) => h("li", {}, item))));
  const answer = await formDialog(title, body, action, async () => {}, { danger });
  return answer === "done";
}

/** A table with a caption (for screen readers), headers and rows; wrapped to scroll on a narrow window. */
export function table(caption, headers, rows) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h("caption", { class: "visually-hidden" }, caption),
      h("thead", {}, h("tr", {}, headers.map((header) => h("th", { scope: "col" }, header)))),
      h("tbody", {}, rows),
    ),
  );
}

/** The values of a form's named inputs (checkboxes as booleans). */
export function values(form) {
  const result = {};
  for (const input of form.querySelectorAll("input[name], select[name], textarea[name]")) {
    result[input.name] = input.type === "checkbox" ? input.checked : input.value;
  }
  return result;
}

/** The cells every session row shows: started, last seen, expires, browser, address, token. */
export function sessionCells(session) {
  return [
    h("td", {}, time(session.createdAt)),
    h("td", {}, time(session.lastSeenAt)),
    h("td", {}, time(session.expiresAt)),
    h("td", { class: "agent" }, session.userAgent || "—"),
    h("td", {}, session.ip || "—"),
    h("td", {}, h("code", {}, session.tokenHint)),
  ];
}

/**
 * Server-side paging through a Relay connection, forward with `after`: the cursors of the
 * pages seen, so "Previous" can go back. `load()` shows the current page again.
 */
export class Pages {
  constructor(size, load) {
    this.size = size;
    this.load = load;
    this.cursors = [null];
  }

  /** The `after` of the current page. */
  get after() {
    return this.cursors[this.cursors.length - 1];
  }

  /** Back to the first page (a new search or filter). */
  reset() {
    this.cursors = [null];
  }

  /**
   * Fills `nav` for `connection` (`totalCount`, `pageInfo`) showing `shown` items:
   * the previous and next buttons and "21–40 of 95"; `fail` handles an error of a move.
   */
  render(nav, connection, shown, noun, fail, [back, forward] = ["Previous", "Next"]) {
    const move = (cursor) => {
      if (cursor === undefined) this.cursors.pop();
      else this.cursors.push(cursor);
      this.load().catch(fail);
    };
    const first = (this.cursors.length - 1) * this.size;
    const summary = connection.totalCount === 0 ? `0 ${noun}` : `${first + 1}–${first + shown} of ${connection.totalCount}`;
    nav.replaceChildren(
      h("button", { type: "button", class: "secondary", "data-action": "previous", disabled: this.cursors.length === 1, onclick: () => move(undefined) }, back),
      h("span", { class: "muted", "data-testid": `${noun}-count` }, summary),
      h("button", { type: "button", class: "secondary", "data-action": "next", disabled: !connection.pageInfo.hasNextPage, onclick: () => move(connection.pageInfo.endCursor) }, forward),
    );
  }
}

/**
 * Runs `render()`, which redraws `container`, and puts the focus back on the control that had
 * it (the same action in the same row), so a keyboard user keeps their place after a change;
 * on the container itself when that control is gone (a deleted row).
 */
export function keepingFocus(container, render) {
  const active = document.activeElement;
  const inside = active && active !== document.body && container.contains(active);
  const row = inside ? active.closest("tr") : null;
  const rowKey = row ? [...row.attributes].filter((a) => a.name.startsWith("data-")).map((a) => `[${a.name}="${CSS.escape(a.value)}"]`).join("") : "";
  const label = inside ? active.getAttribute("aria-label") : null;
  const action = inside ? active.dataset.action : null;
  const own = label ? `[aria-label="${CSS.escape(label)}"]`
    : action ? `[data-action="${CSS.escape(action)}"]`
    : inside && active.id ? `#${CSS.escape(active.id)}` : null;
  render();
  if (!inside) return;
  const again = own && container.querySelector(rowKey ? `tr${rowKey} ${own}` : own);
  if (again && !again.disabled) again.focus();
  else if (container.tabIndex >= 0) container.focus();
}
