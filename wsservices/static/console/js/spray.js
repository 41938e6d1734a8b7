// The Landing Zones page's import (spray) dialogs: Fixed, Delimited, XML, JSON, Variable and
// Blob, with the fields, defaults and checks of ECL Watch's forms of the same names. Each
// selected file gets a row (Target Name, Number of Parts, and the format's own column); one
// SprayFixed or SprayVariable call per file, then the page moves to the new DFU workunit.
import { call, list } from "./esp.js";
import { dialog, field, h } from "./ui.js";

const NAME_PREFIX = /^[_a-z0-9]+(::[_a-z0-9]+)*(?:::)?$/i;
const TARGET_NAME = /^[-a-z0-9_]+[-a-z0-9 _.]+$/i;
const BLOB_SOURCE = /^(?:[/\\]?[-a-z0-9*_]+[/\\])+([-a-z0-9 *_.]+)$/i;
const NUMBER = /^[0-9]+$/;
const MSG = {
    prefix: 'Should match pattern "some::prefix"', nameRequired: "File name is required",
    nameInvalid: "Invalid file name", number: "Enter a valid number", required: "This field is required",
    expire: "Should not be less than 1 day",
};
const TEXT_FORMATS = [["1", "ASCII"], ["2", "UTF-8"], ["3", "UTF-8N"], ["4", "UTF-16"], ["5", "UTF-16LE"],
                      ["6", "UTF-16BE"], ["7", "UTF-32"], ["8", "UTF-32LE"], ["9", "UTF-32BE"]];
const VARIABLE_FORMATS = [["recfmv", "RECFMV"], ["recfmvb", "RECFMVB"], ["variable", "Variable"],
                          ["variablebigendian", "Variable Big-endian"]];

const text = (name, label, value = "", extra = {}) => ({ kind: "text", name, label, value, ...extra });
const check = (name, label, value = false, extra = {}) => ({ kind: "check", name, label, value, ...extra });
const select = (name, label, options, value) => ({ kind: "select", name, label, options, value });

const MAX_RECORD = text("sourceMaxRecordSize", "Max Record Length", "", { pattern: NUMBER, message: MSG.number });
const COMMON_CHECKS = nosplit => [
    check("overwrite", "Overwrite"),
    check("replicate", "Replicate", false, { hint: "Replication occurs asynchronously after spray completes" }),
    check("nosplit", "No Split", nosplit === "fixed", { disabled: nosplit === "fixed" }),
    check("noCommon", "No Common", true),
    check("compress", "Compress"),
    check("failIfNoSourceFile", "Fail If No Source File"),
];
const EXPIRE = text("expireDays", "Expire in (days)", "", { pattern: NUMBER, message: MSG.number, min: 1 });

/** Per format: the ESP method, the per-file column, the options and their defaults. */
export const SPRAY_FORMATS = {
    fixed: { title: "Fixed", method: "SprayFixed",
             column: { name: "sourceRecordSize", label: "Record Length", placeholder: "Required for fixed spray",
                       required: "Record Length is required", pattern: NUMBER, message: "Record Length should be a number" },
             options: [], checks: COMMON_CHECKS(false) },
    delimited: { title: "Delimited", method: "SprayVariable",
                 options: [select("sourceFormat", "Format", TEXT_FORMATS, "1"), MAX_RECORD,
                           text("sourceCsvQuote", "Quote", "\""), text("sourceCsvEscape", "Escape", ""),
                           text("sourceCsvSeparate", "Separators", "\\,"),
                           text("sourceCsvTerminate", "Line Terminators", "\\n,\\r\\n")],
                 checks: [...COMMON_CHECKS(false), check("recordStructurePresent", "Record Structure Present"),
                          check("quotedTerminator", "Quoted Terminator")] },
    xml: { title: "XML", method: "SprayVariable",
           column: { name: "sourceRowTag", label: "Row Tag", value: "Row" },
           options: [select("sourceFormat", "Format", TEXT_FORMATS.slice(1), "2"), MAX_RECORD],
           checks: COMMON_CHECKS(false) },
    json: { title: "JSON", method: "SprayVariable", fixed: { isJSON: true },
            column: { name: "sourceRowTag", label: "Row Path", value: "/" },
            options: [select("sourceFormat", "Format", TEXT_FORMATS.slice(1), "2"), MAX_RECORD],
            checks: COMMON_CHECKS("fixed") },
    variable: { title: "Variable", method: "SprayFixed",
                options: [select("sourceFormat", "Format", VARIABLE_FORMATS, "recfmv")],
                checks: COMMON_CHECKS("fixed") },
    blob: { title: "Blob", method: "SprayFixed", blob: true,
            options: [text("prefix", "BLOB Prefix", "", { placeholder: "filename{:length}, filesize{:[B|L][1-8]}" })],
            checks: COMMON_CHECKS("fixed") },
};

function input(spec) {
    if (spec.kind === "check") {
        return h("label", { class: "check", title: spec.hint ?? "" },
                 h("input", { type: "checkbox", name: spec.name, checked: spec.value, disabled: spec.disabled }), ` ${spec.label}`);
    }
    const el = spec.kind === "select"
        ? h("select", { name: spec.name }, spec.options.map(([v, t]) => h("option", { value: v, selected: v === spec.value }, t)))
        : h("input", { type: "text", name: spec.name, value: spec.value ?? "", placeholder: spec.placeholder ?? "" });
    return field(spec.label, el);
}

/** Marks an input invalid with a message; returns false so callers can count failures. */
function invalid(el, message) {
    el.classList.add("is-invalid");
    const note = el.closest(".field, td")?.querySelector(".invalid");
    if (note) {
        note.textContent = message;
    }
    return false;
}

function checkValue(el, { required, pattern, message, min }) {
    const value = el.value.trim();
    if (!value) {
        return required ? invalid(el, required) : true;
    }
    if (pattern && !pattern.test(value)) {
        return invalid(el, message);
    }
    if (min != null && Number(value) < min) {
        return invalid(el, MSG.expire);
    }
    return true;
}

/**
 * Opens the spray dialog of `format` for `files` ([{name, fullPath}]) on `dropZone`.
 * onSprayed(wuids) runs once the calls are queued.
 */
export async function openSprayDialog(format, files, dropZone, onSprayed) {
    const spec = SPRAY_FORMATS[format];
    const [targets, queues] = await Promise.all([call("FileSpray", "GetSprayTargets"), call("FileSpray", "GetDFUServerQueues")]);
    const groups = list(targets.GroupNodes, "GroupNode").map(g => g.Name);
    const queueNames = list(queues.Names, "Item");
    const pick = (name, label, values) => field(label, h("select", { name, required: true },
        h("option", { value: "" }, "Select a value"), values.map((v, i) => h("option", { value: v, selected: i === 0 }, v))));

    const columns = spec.blob
        ? ["Source Path (Wildcard Enabled)", "Number of Parts"]
        : ["Target Name", ...(spec.column ? [spec.column.label] : []), "Number of Parts"];
    const rows = files.map((file, i) => h("tr", {},
        h("td", {}, h("input", { type: "text", name: `file.${i}.name`, value: spec.blob ? file.fullPath : file.name }), h("small", { class: "invalid" })),
        spec.column ? h("td", {}, h("input", { type: "text", name: `file.${i}.column`, value: spec.column.value ?? "",
                                                placeholder: spec.column.placeholder ?? "" }), h("small", { class: "invalid" })) : null,
        h("td", {}, h("input", { type: "text", name: `file.${i}.parts`, value: "", size: 4 }), h("small", { class: "invalid" }))));
    const body = h("div", { class: "spray", "data-format": format },
        h("div", { class: "row" }, pick("destGroup", "Group", groups), pick("DFUServerQueue", "Queue", queueNames),
          spec.blob ? field("Target Name", h("input", { type: "text", name: "destLogicalName", placeholder: "some::logical::name" }))
                    : field("Target Scope", h("input", { type: "text", name: "namePrefix", placeholder: "some::prefix" }))),
        h("table", { class: "files" }, h("thead", {}, h("tr", {}, columns.map(c => h("th", {}, c)))), h("tbody", {}, rows)),
        h("div", { class: "row" }, spec.options.map(input), input(EXPIRE)),
        h("div", { class: "checks" }, spec.checks.map(input)));

    const submit = async form => {
        form.querySelectorAll(".is-invalid").forEach(el => el.classList.remove("is-invalid"));
        form.querySelectorAll(".invalid").forEach(el => { el.textContent = ""; });
        const el = name => form.elements.namedItem(name);
        let ok = true;
        ok = checkValue(el("destGroup"), { required: "Select a Group" }) && ok;
        ok = checkValue(el("DFUServerQueue"), { required: "Select a Queue" }) && ok;
        if (spec.blob) {
            ok = checkValue(el("destLogicalName"), { required: MSG.required }) && ok;
        } else {
            ok = checkValue(el("namePrefix"), { pattern: NAME_PREFIX, message: MSG.prefix }) && ok;
        }
        files.forEach((_, i) => {
            ok = checkValue(el(`file.${i}.name`), spec.blob ? { required: MSG.nameRequired, pattern: BLOB_SOURCE, message: MSG.nameInvalid }
                                                          : { required: MSG.nameRequired, pattern: TARGET_NAME, message: MSG.nameInvalid }) && ok;
            if (spec.column) {
                ok = checkValue(el(`file.${i}.column`), spec.column) && ok;
            }
            ok = checkValue(el(`file.${i}.parts`), { pattern: NUMBER, message: MSG.number }) && ok;
        });
        for (const option of [...spec.options, EXPIRE]) {
            if (option.kind === "text" && option.pattern) {
                ok = checkValue(el(option.name), option) && ok;
            }
        }
        if (!ok) {
            return false;
        }
        const common = { destGroup: el("destGroup").value, DFUServerQueue: el("DFUServerQueue").value, ...(spec.fixed ?? {}) };
        for (const option of [...spec.options, EXPIRE]) {
            const value = el(option.name).value;
            if (value !== "") {
                common[option.name] = value;
            }
        }
        for (const option of spec.checks) {
            common[option.name] = el(option.name).checked;
        }
        const prefix = spec.blob ? "" : el("namePrefix").value.trim();
        const requests = files.map((file, i) => {
            const request = { ...common, sourceIP: dropZone.NetAddress, sourcePlane: dropZone.Name };
            const name = el(`file.${i}.name`).value.trim();
            const parts = el(`file.${i}.parts`).value.trim();
            if (spec.blob) {
                request.sourcePath = name;
                request.destLogicalName = el("destLogicalName").value.trim();
            } else {
                request.sourcePath = file.fullPath;
                request.destLogicalName = prefix + (prefix && !prefix.endsWith("::") && !name.startsWith("::") ? "::" : "") + name;
            }
            if (spec.column) {
                request[spec.column.name] = el(`file.${i}.column`).value.trim();
            }
            if (parts) {
                request.destNumParts = parts;
            }
            return request;
        });
        const answers = await Promise.all(requests.map(r => call("FileSpray", spec.method, r)));
        onSprayed(answers.map(a => a.wuid).filter(Boolean));
        return true;
    };
    return dialog(`Import ${spec.title}`, body, [
        { label: "Import", primary: true, run: submit },
        { label: "Cancel", run: () => true },
    ]);
}
