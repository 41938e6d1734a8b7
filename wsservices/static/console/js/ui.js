// Small DOM helpers shared by the console's pages: elements, tables, messages, dialogs, progress.

/** h("div", {class: "x", onclick: fn}, child, "text", [more]) */
export function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs ?? {})) {
        if (value == null || value === false) {
            continue;
        }
        if (key.startsWith("on")) {
            el.addEventListener(key.slice(2), value);
        } else if (key === "class") {
            el.className = value;
        } else if (key in el && typeof value !== "string") {
            el[key] = value;
        } else {
            el.setAttribute(key, value === true ? "" : value);
        }
    }
    for (const child of children.flat(Infinity)) {
        if (child != null && child !== false) {
            el.append(child instanceof Node ? child : String(child));
        }
    }
    return el;
}

/** Replaces the element's children. */
export function fill(el, ...children) {
    el.replaceChildren();
    for (const child of children.flat(Infinity)) {
        if (child != null && child !== false) {
            el.append(child instanceof Node ? child : String(child));
        }
    }
    return el;
}

/** A table from columns [{label, cell(row) -> node|text, key?}] and rows; sortable when onSort. */
export function table(columns, rows, { empty = "Nothing to show.", sort = null, onSort = null, id = null } = {}) {
    const head = h("tr", {}, columns.map(c => {
        const mark = sort && sort.key === c.key ? (sort.descending ? " ▼" : " ▲") : "";
        return h("th", c.key && onSort ? { class: "sortable", onclick: () => onSort(c.key) } : {}, c.label + mark);
    }));
    const body = rows.length
        ? rows.map(row => h("tr", {}, columns.map(c => h("td", c.class ? { class: c.class } : {}, c.cell(row)))))
        : [h("tr", {}, h("td", { colspan: String(columns.length), class: "empty" }, empty))];
    return h("table", { class: "grid", id }, h("thead", {}, head), h("tbody", {}, body));
}

/** Shows a message in the page's message area; kind: "error" | "info". Returns its element. */
export function say(text, kind = "info") {
    const area = document.getElementById("messages");
    const item = h("div", { class: `message ${kind}`, role: kind === "error" ? "alert" : "status" },
                   h("span", { class: "text" }, text),
                   h("button", { class: "close", title: "Dismiss", onclick: () => item.remove() }, "×"));
    area.append(item);
    const infos = area.querySelectorAll(".message.info");
    for (const old of [...infos].slice(0, Math.max(0, infos.length - 3))) {
        old.remove();
    }
    if (kind === "info") {
        setTimeout(() => item.remove(), 6000);
    }
    return item;
}

/** Runs fn; an error becomes a readable message on the page. Returns fn's value or undefined. */
export async function guard(fn) {
    try {
        return await fn();
    } catch (error) {
        say(error?.message ?? String(error), "error");
        return undefined;
    }
}

/** A modal dialog; actions [{label, primary?, run(form) -> true to close}]. Returns {dialog, close}. */
export function dialog(title, body, actions) {
    const errors = h("div", { class: "dialog-errors", role: "alert" });
    const buttons = actions.map(a => h("button", {
        type: a.primary ? "submit" : "button", class: a.primary ? "primary" : "",
        onclick: a.primary ? null : async () => { if (await a.run?.(form) !== false) close(); },
    }, a.label));
    const form = h("form", { method: "dialog", novalidate: true }, h("h2", {}, title), body, errors,
                   h("div", { class: "actions" }, buttons));
    const el = h("dialog", { class: "modal" }, form);
    const primary = actions.find(a => a.primary);
    form.addEventListener("submit", async event => {
        event.preventDefault();
        fill(errors);
        try {
            if (await primary.run(form, errors) !== false) {
                close();
            }
        } catch (error) {
            errors.append(h("p", {}, error?.message ?? String(error)));
        }
    });
    const close = () => { el.close(); el.remove(); };
    el.addEventListener("cancel", close);
    document.body.append(el);
    el.showModal();
    return { dialog: el, form, errors, close };
}

/** A progress bar with its percentage written on it. */
export function progress(percent, label = "") {
    const value = Math.max(0, Math.min(100, Number(percent) || 0));
    return h("div", { class: "progress", role: "progressbar", "aria-valuenow": String(value),
                      "aria-valuemin": "0", "aria-valuemax": "100" },
             h("div", { class: "bar", style: `width: ${value}%` }),
             h("span", { class: "label" }, `${value}%${label ? ` ${label}` : ""}`));
}

export function fmtSize(bytes) {
    const n = Number(bytes);
    if (!Number.isFinite(n) || n < 0) {
        return "";
    }
    const units = ["B", "KB", "MB", "GB", "TB"];
    let i = 0;
    let v = n;
    while (v >= 1024 && i < units.length - 1) {
        v /= 1024;
        i++;
    }
    return i === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/** A link inside the console (hash routing). */
export function link(text, route) {
    return h("a", { href: `#/${route}` }, text);
}

export function button(label, onclick, attrs = {}) {
    return h("button", { type: "button", onclick, ...attrs }, label);
}

/** A labelled form field: field("Target Name", input). */
export function field(label, input, hint = "") {
    return h("label", { class: "field" }, h("span", { class: "name" }, label), input,
             hint ? h("small", {}, hint) : null, h("small", { class: "invalid" }));
}
