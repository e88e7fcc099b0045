// The bar at the top of every signed-in page: who is signed in, the shield menu of
// administrators ("Admin Panel", GraphiQL), My account and Log out.

import { logout } from "/static/api.js";
import { badge, h } from "/static/ui.js";

/** Fills the page's <header id="topbar"> for `me`. */
export function topbar(me) {
  const bar = document.getElementById("topbar");
  bar.replaceChildren(
    h("a", { href: "/account", class: "brand" }, h("img", { src: "/static/shield.svg", alt: "", width: 22, height: 22 }), "Roster"),
    h("span", { class: "spacer" }),
    h("span", { class: "whoami", "data-testid": "whoami" }, me.displayName || me.username, me.isAdmin ? badge("Admin", "admin") : null),
    me.isAdmin ? shieldMenu() : null,
    h("a", { href: "/account", class: "nav-link" }, "My account"),
    h("button", { type: "button", class: "secondary", id: "logout", onclick: () => logout() }, "Log out"),
  );
}

/** The shield icon and its dropdown: a button that opens a menu of links. */
function shieldMenu() {
  const menu = h(
    "ul",
    { id: "admin-menu", class: "menu", role: "menu", hidden: true },
    h("li", { role: "none" }, h("a", { href: "/admin", role: "menuitem" }, "Admin Panel")),
    h("li", { role: "none" }, h("a", { href: "/graphiql", role: "menuitem" }, "GraphiQL")),
  );
  const button = h(
    "button",
    {
      type: "button",
      class: "icon shield",
      id: "admin-menu-button",
      "aria-label": "Administration",
      title: "Administration",
      "aria-haspopup": "menu",
      "aria-expanded": "false",
      "aria-controls": "admin-menu",
    },
    h("img", { src: "/static/shield.svg", alt: "", width: 22, height: 22 }),
  );
  const items = () => [...menu.querySelectorAll("[role=menuitem]")];
  const close = (refocus) => {
    menu.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (refocus) button.focus();
  };
  const open = () => {
    menu.hidden = false;
    button.setAttribute("aria-expanded", "true");
    items()[0].focus();
  };
  button.addEventListener("click", () => (menu.hidden ? open() : close(false)));
  menu.addEventListener("keydown", (event) => {
    const list = items();
    const at = list.indexOf(document.activeElement);
    if (event.key === "Escape") {
      event.preventDefault();
      close(true);
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      list[(at + 1) % list.length].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      list[(at - 1 + list.length) % list.length].focus();
    } else if (event.key === "Tab") {
      close(false);
    }
  });
  document.addEventListener("click", (event) => {
    if (!menu.hidden && !menu.contains(event.target) && !button.contains(event.target)) close(false);
  });
  return h("div", { class: "menu-wrap" }, button, menu);
}
