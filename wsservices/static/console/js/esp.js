// Talking to ESP as ECL Watch does: POST /<Service>/<Method>.json with a JSON body
// {"<Method>": {...}}; answers are {"<Method>Response": {...}} or {"Exceptions": {...}}.
// Every failure becomes an EspError whose message a person can read (never raw XML or HTML).
// Each call names its client version (ver_), as ECL Watch's @hpcc-js/comms does: without one ESP
// serves a SOAP or JSON POST as version 0 and leaves out every field with a min_ver.

/** The client version the console speaks to each service (the services' ECM versions). */
export const CLIENT_VERSIONS = { FileSpray: "1.29", WsDfu: "1.69", WsPackageProcess: "1.08" };

export class EspError extends Error {
    constructor(message, { code = null, source = "", status = 0 } = {}) {
        super(message);
        this.name = "EspError";
        this.code = code;
        this.source = source;
        this.status = status;
    }
}

/** The readable text of a non-JSON answer (an HTML error page, XML, plain text), shortened. */
function plainText(text) {
    let out = text;
    if (/^\s*</.test(text)) {
        const doc = new DOMParser().parseFromString(text, "text/html");
        out = doc.body?.textContent ?? "";
    }
    out = out.replace(/\s+/g, " ").trim();
    return out.length > 300 ? `${out.slice(0, 300)}…` : out;
}

/** Throws EspError for ESP's Exceptions, at the top level or inside the response object. */
export function checkExceptions(body, what) {
    const holder = body?.Exceptions ? body : Object.values(body ?? {})[0];
    const exceptions = holder?.Exceptions?.Exception;
    if (!exceptions) {
        return;
    }
    const list = Array.isArray(exceptions) ? exceptions : [exceptions];
    if (list.length === 0) {
        return;
    }
    const text = list.map(e => `${e.Message ?? "(no message)"}${e.Code != null ? ` (code ${e.Code})` : ""}`).join("; ");
    throw new EspError(`${what}: ${text}`, { code: list[0].Code, source: holder.Exceptions.Source ?? "" });
}

async function readJson(response, what) {
    const text = await response.text();
    let body;
    try {
        body = JSON.parse(text);
    } catch {
        throw new EspError(`${what} failed (HTTP ${response.status}): ${plainText(text) || "empty answer"}`,
                           { status: response.status });
    }
    checkExceptions(body, what);
    if (!response.ok) {
        throw new EspError(`${what} failed (HTTP ${response.status})`, { status: response.status });
    }
    return body;
}

async function send(url, init, what) {
    let response;
    try {
        response = await fetch(url, init);
    } catch (error) {
        throw new EspError(`${what}: the server cannot be reached (${error.message})`);
    }
    return readJson(response, what);
}

/** Calls an ESP method; returns the inside of its response element. */
export async function call(service, method, request = {}) {
    const what = `${service}.${method}`;
    const body = await send(`/${service}/${method}.json?ver_=${CLIENT_VERSIONS[service]}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({ [method]: request }),
    }, what);
    const key = Object.keys(body)[0];
    return body[key] ?? {};
}

/** GET on one of the emulator's own JSON control routes (/hpccemu/...). */
export async function control(path) {
    return send(`/hpccemu/${path}`, { headers: { "Accept": "application/json" } }, `/hpccemu/${path.split("?")[0]}`);
}

/** A Roxie query called through WsEcl, answered as JSON. */
export async function wsecl(target, query, params) {
    const qs = new URLSearchParams(params).toString();
    const url = `/WsEcl/submit/query/${encodeURIComponent(target)}/${encodeURIComponent(query)}/json?${qs}`;
    return send(url, { headers: { "Accept": "application/json" } }, `WsEcl ${query}`);
}

/** ESP's arrays come wrapped ({"Item": [...]}, {"DFULogicalFile": [...]}); this unwraps one. */
export function list(holder, key) {
    const value = holder?.[key];
    if (value == null) {
        return [];
    }
    return Array.isArray(value) ? value : [value];
}

/**
 * FileSpray's UploadFile, as ECL Watch sends it (multipart, field "uploadedfiles[]"), with
 * onProgress(fraction) while the bytes go up. Resolves to the per-file results.
 */
export function upload(files, dropZone, path, onProgress) {
    const qs = new URLSearchParams({ NetAddress: dropZone.NetAddress, OS: "2", Path: path, DropZoneName: dropZone.Name });
    const form = new FormData();
    for (const file of files) {
        form.append("uploadedfiles[]", file, file.name);
    }
    return new Promise((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open("POST", `/FileSpray/UploadFile.json?upload_&rawxml_=1&ver_=${CLIENT_VERSIONS.FileSpray}&${qs}`);
        xhr.upload.onprogress = e => e.lengthComputable && onProgress?.(e.loaded / e.total);
        xhr.onerror = () => reject(new EspError("FileSpray.UploadFile: the server cannot be reached"));
        xhr.onload = () => {
            readJson(new Response(xhr.responseText, { status: xhr.status }), "FileSpray.UploadFile").then(body => {
                const results = list(body.UploadFilesResponse?.UploadFileResults, "DFUActionResult");
                const failed = results.filter(r => r.Result !== "Success");
                if (failed.length) {
                    reject(new EspError(`FileSpray.UploadFile: ${failed.map(r => `${r.ID}: ${r.Result}`).join("; ")}`));
                } else {
                    onProgress?.(1);
                    resolve(results);
                }
            }, reject);
        };
        xhr.send(form);
    });
}

/** The DownloadFile URL ECL Watch links a landing-zone file to. */
export function downloadUrl(dropZone, path, name) {
    const qs = new URLSearchParams({ Name: name, NetAddress: dropZone.NetAddress, Path: path, OS: "2", DropZoneName: dropZone.Name });
    return `/FileSpray/DownloadFile?${qs}`;
}
