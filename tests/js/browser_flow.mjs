// A person trying the services in a browser: headless Chromium (Debian's /usr/bin/chromium, driven
// by playwright-core) opens the service index pages, follows a method's ?form link, fills the form
// in (text, textarea, checkbox, rows of a struct array) and submits it plainly, as JSON, as XML and
// through the SOAP and JSON test pages, and clicks every link on the three index pages.
//
//   node browser_flow.mjs http://127.0.0.1:8010 [--only=package_form,filespray_form,submit_modes,every_form,index_links]
//
// Assumes the emulator's default environment: Roxie target "roxie", drop zone "mydropzone".
import { chromium } from "playwright-core";
import { check, checkEqual, parseArgs, runFlows, uniqueTag } from "./lib.mjs";

const CHROMIUM = process.env.HPCCEMU_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const ROXIE_TARGET = "roxie";
const DROP_ZONE = { DropZoneName: "mydropzone", NetAddress: "127.0.0.1", Path: "/var/lib/HPCCSystems/mydropzone" };
const SERVICES = ["FileSpray", "WsDfu", "WsPackageProcess"];

/** The response of the next top-level navigation that is not a redirect, started by action(). */
async function navigation(page, action, waitUntil = "domcontentloaded") {
    const [response] = await Promise.all([
        page.waitForResponse(r => r.request().isNavigationRequest() && r.request().frame() === page.mainFrame()
                                  && !(r.status() >= 300 && r.status() < 400), { timeout: 15000 }),
        action(),
    ]);
    if (waitUntil === "commit") {
        await page.waitForURL(response.url(), { waitUntil });   // committed: the next goto cannot race it
    } else {
        await page.waitForLoadState(waitUntil);
    }
    return response;
}

/** Opens /Svc/, clicks the method's form link, and returns once the form's inputs exist. */
async function openForm(page, url, service, method) {
    const index = await navigation(page, () => page.goto(`${url}/${service}/`));
    checkEqual(index.status(), 200, `GET /${service}/ status`);
    const link = page.locator(`a[href^="${method}?"][href*="form"]`).first();
    check(await link.count() === 1, `/${service}/ has no ?form link for ${method}`);
    const form = await navigation(page, () => link.click());
    checkEqual(form.status(), 200, `${method}?form status`);
    await page.locator("form").first().waitFor({ timeout: 5000 });
}

/** Types values into the form's inputs, found by name (text input or textarea). */
async function fill(page, values) {
    for (const [name, value] of Object.entries(values)) {
        const input = page.locator(`input[type="text"][name="${name}"], textarea[name="${name}"]`).first();
        check(await input.count() === 1, `the form has no text input named ${name}`);
        await input.fill(value);
    }
}

/** Ticks a boolean field's checkbox. */
async function tick(page, name) {
    const box = page.locator(`input[type="checkbox"][name="${name}"]`);
    check(await box.count() >= 1, `the form has no checkbox named ${name}`);
    await box.first().check();
}

/** Clicks the submit button labelled `label`; returns the answer's status, content type and text. */
async function submit(page, label = "Submit") {
    const button = page.locator(`input[type="submit"][value="${label}"]`).first();
    check(await button.count() === 1, `the form has no "${label}" button`);
    const response = await navigation(page, () => button.click());
    return { status: response.status(), type: response.headers()["content-type"] ?? "", text: await response.text() };
}

function checkAnswer(answer, what, mustContain) {
    checkEqual(answer.status, 200, `${what}: HTTP status`);
    check(!/<Exceptions>|"Exceptions"/.test(answer.text), `${what}: the answer is an ESP exception: ${answer.text.slice(0, 600)}`);
    for (const text of mustContain) {
        check(answer.text.includes(text), `${what}: the answer (${answer.type}) does not contain ${JSON.stringify(text)}: ${answer.text.slice(0, 600)}`);
    }
}

// ------------------------------------------------------------------ flows

async function package_form(ctx) {
    const page = ctx.page;
    const tag = uniqueTag();
    const [name, other, pkg] = [`browser_${tag}.pkg`, `browser_${tag}_b.pkg`, `q_${tag}`];
    const addPackage = async (map, activate) => {
        await ctx.step("open /WsPackageProcess/ and follow AddPackage's form link", () =>
            openForm(page, ctx.url, "WsPackageProcess", "AddPackage"));
        await ctx.step(`fill in package map ${map}`, async () => {
            await fill(page, { Info: `<RoxiePackages><Package id="${pkg}"/></RoxiePackages>`, Target: ROXIE_TARGET,
                               PackageMap: map, Process: "*" });
            if (activate) {
                await tick(page, "Activate");
            }
        });
        const added = await ctx.step("submit AddPackage", () => submit(page));
        checkAnswer(added, "AddPackage", ["AddPackageResponse", `Successfully loaded ${map}`]);
    };
    await addPackage(name, true);
    await addPackage(other, false);

    await ctx.step("ListPackages form", () => openForm(page, ctx.url, "WsPackageProcess", "ListPackages"));
    await ctx.step("fill in Target", () => fill(page, { Target: ROXIE_TARGET }));
    const listed = await ctx.step("submit ListPackages", () => submit(page));
    checkAnswer(listed, "ListPackages", ["ListPackagesResponse", `${ROXIE_TARGET}::${name}`, `${ROXIE_TARGET}::${other}`]);
    // the Activate checkbox took effect for the first map only (XML answer: <Id>..</Id>...<Active>1</Active>)
    const active = map => new RegExp(`<Id>${ROXIE_TARGET}::${map.replace(/\./g, "\\.")}</Id>.*?<Active>([^<]*)</Active>`).exec(listed.text)?.[1];
    checkEqual([active(name), active(other)], ["1", "0"], "ListPackages Active of [ticked, unticked] map");

    await ctx.step("GetPackageMapById form", () => openForm(page, ctx.url, "WsPackageProcess", "GetPackageMapById"));
    await ctx.step("fill in the map id", () => fill(page, { PackageMapId: `${ROXIE_TARGET}::${name}` }));
    const got = await ctx.step("submit GetPackageMapById", () => submit(page));
    checkAnswer(got, "GetPackageMapById", ["GetPackageMapByIdResponse", pkg]);

    // a struct array: rows added with the form's Add button, fields PackageMaps.PackageMapEntry.<i>.Id ...
    await ctx.step("DeletePackage form", () => openForm(page, ctx.url, "WsPackageProcess", "DeletePackage"));
    await ctx.step("add two PackageMaps rows and fill them in", async () => {
        const add = page.locator('input[type="button"][value="Add"]').first();
        check(await add.count() === 1, "the DeletePackage form has no Add button for PackageMaps");
        const values = {};
        for (const [i, map] of [name, other].entries()) {
            await add.click();
            Object.assign(values, { [`PackageMaps.PackageMapEntry.${i}.Id`]: map, [`PackageMaps.PackageMapEntry.${i}.Target`]: ROXIE_TARGET,
                                    [`PackageMaps.PackageMapEntry.${i}.Process`]: "*" });
        }
        await fill(page, values);
    });
    const deleted = await ctx.step("submit DeletePackage", () => submit(page));
    checkAnswer(deleted, "DeletePackage", [`Successfully deleted ${name} from ${ROXIE_TARGET};Successfully deleted ${other} from ${ROXIE_TARGET};`]);
}

async function filespray_form(ctx) {
    const page = ctx.page;
    const file = `browser_${uniqueTag()}.csv`;
    await ctx.step("upload a file to the drop zone (as ECL Watch's upload does)", async () => {
        const query = new URLSearchParams({ NetAddress: DROP_ZONE.NetAddress, OS: "2", Path: DROP_ZONE.Path, DropZoneName: DROP_ZONE.DropZoneName });
        const r = await page.request.post(`${ctx.url}/FileSpray/UploadFile.xml?upload_&rawxml_=1&${query}`, {
            multipart: { "uploadedfiles[]": { name: file, mimeType: "text/csv", buffer: Buffer.from("x,1\ny,2\n") } },
        });
        checkEqual(r.status(), 200, "UploadFile status");
        check((await r.text()).includes("Success"), `UploadFile: ${await r.text()}`);
    });
    await ctx.step("open /FileSpray/ and follow DropZoneFiles' form link", () => openForm(page, ctx.url, "FileSpray", "DropZoneFiles"));
    await ctx.step("fill in the drop zone", () => fill(page, DROP_ZONE));
    const files = await ctx.step("submit DropZoneFiles", () => submit(page));
    checkAnswer(files, "DropZoneFiles", [file]);

    // a string array field: one value per line in a textarea (or one text input)
    await ctx.step("DeleteDropZoneFiles form", () => openForm(page, ctx.url, "FileSpray", "DeleteDropZoneFiles"));
    await ctx.step("fill in the drop zone and the file name", () => fill(page, {
        DropZoneName: DROP_ZONE.DropZoneName, NetAddress: DROP_ZONE.NetAddress, Path: DROP_ZONE.Path, Names: file }));
    const deleted = await ctx.step("submit DeleteDropZoneFiles", () => submit(page));
    checkAnswer(deleted, "DeleteDropZoneFiles", [file, "Success"]);
    await ctx.step("DropZoneFiles form", () => openForm(page, ctx.url, "FileSpray", "DropZoneFiles"));
    await ctx.step("fill in the drop zone", () => fill(page, DROP_ZONE));
    const after = await ctx.step("submit DropZoneFiles", () => submit(page));
    check(after.status === 200 && !after.text.includes(file), `DropZoneFiles still lists ${file} after the delete`);

    // nested struct fields: UpdateDFUWorkunit's wu.ID, wu.JobName, wu.isProtected
    await ctx.step("CreateDFUWorkunit form", () => openForm(page, ctx.url, "FileSpray", "CreateDFUWorkunit"));
    const created = await ctx.step("submit CreateDFUWorkunit", () => submit(page));
    checkAnswer(created, "CreateDFUWorkunit", ["CreateDFUWorkunitResponse"]);
    const wuid = /<ID>(D\d{8}-\d{6}[^<]*)<\/ID>/.exec(created.text)?.[1];
    check(wuid, `no WUID in the CreateDFUWorkunit answer: ${created.text.slice(0, 400)}`);
    const jobName = `browser_job_${uniqueTag()}`;
    await ctx.step("UpdateDFUWorkunit form", () => openForm(page, ctx.url, "FileSpray", "UpdateDFUWorkunit"));
    await ctx.step("fill in wu.ID and wu.JobName, tick wu.isProtected", async () => {
        await fill(page, { "wu.ID": wuid, "wu.JobName": jobName });
        await tick(page, "wu.isProtected");
    });
    const updated = await ctx.step("submit UpdateDFUWorkunit", () => submit(page));
    checkAnswer(updated, "UpdateDFUWorkunit", []);
    await ctx.step("GetDFUWorkunit form", () => openForm(page, ctx.url, "FileSpray", "GetDFUWorkunit"));
    await ctx.step("fill in the wuid", () => fill(page, { wuid }));
    const shown = await ctx.step("submit GetDFUWorkunit", () => submit(page));
    checkAnswer(shown, "GetDFUWorkunit", [wuid, jobName]);

    await ctx.step("GetDFUWorkunits form", () => openForm(page, ctx.url, "FileSpray", "GetDFUWorkunits"));
    await ctx.step("fill in Jobname and PageSize", () => fill(page, { Jobname: jobName, PageSize: "5" }));
    const wus = await ctx.step("submit GetDFUWorkunits", () => submit(page));
    checkAnswer(wus, "GetDFUWorkunits", [wuid]);
}

/** On a SOAP Test or Json Test page: sends the request it shows and returns the answer text. */
async function sendFromBuilder(page, expected) {
    await page.locator('input[type="submit"], button[type="submit"]').first().click();
    const answer = await page.waitForFunction(text => [...document.querySelectorAll("textarea")]
        .map(t => t.value).find(v => v.includes(text)), expected, { timeout: 10000 }).catch(() => null);
    check(answer, `no textarea shows "${expected}" after sending: ${(await page.content()).slice(0, 800)}`);
    return await answer.jsonValue();
}

async function submit_modes(ctx) {
    const page = ctx.page;
    const message = `hello <&> "world" ${uniqueTag()}`;
    const echoForm = async () => {
        await openForm(page, ctx.url, "WsPackageProcess", "Echo");
        await fill(page, { Request: message });
    };
    await ctx.step("Echo form", echoForm);
    const plain = await ctx.step("Submit", () => submit(page));
    checkAnswer(plain, "Echo (Submit)", ["EchoResponse", "hello &lt;&amp;"]);

    await ctx.step("Echo form again", echoForm);
    const json = await ctx.step("Submit as JSON", () => submit(page, "Submit as JSON"));
    checkEqual([json.status, json.type.split(";")[0]], [200, "application/json"], "Echo (Submit as JSON) [status, type]");
    checkEqual(JSON.parse(json.text), { EchoResponse: { Response: message } }, "Echo (Submit as JSON) body");

    await ctx.step("Echo form again", echoForm);
    const xml = await ctx.step("Submit as XML", () => submit(page, "Submit as XML"));
    checkAnswer(xml, "Echo (Submit as XML)", ["<EchoResponse>", "hello &lt;&amp;"]);

    // ESP's two test pages: they show the request built from the form and send it when asked
    for (const [label, shows] of [["SOAP Test", "soap:Envelope"], ["Json Test", "EchoRequest"]]) {
        await ctx.step("Echo form again", echoForm);
        await ctx.step(`${label} shows the request`, async () => checkAnswer(await submit(page, label), `${label} page`, [shows]));
        const answer = await ctx.step(`${label}: send the request`, () => sendFromBuilder(page, "EchoResponse"));
        if (label === "SOAP Test") {
            check(answer.includes("soap:Envelope") && answer.includes("hello &lt;&amp;"), `SOAP answer: ${answer.slice(0, 500)}`);
        } else {
            checkEqual(JSON.parse(answer), { EchoResponse: { Response: message } }, "Json Test answer");
        }
    }
}

/**
 * Clicks every link of /Svc/; returns [links clicked, failures]. Chromium resolves each link and
 * starts the navigation; the request is routed: playwright sends it to the server as it stands and
 * keeps the answer, and the page gets 204 No Content, so it stays on the index and renders nothing
 * (a real navigation per link, with a reload of the index between, took six times as long).
 */
async function clickEveryLink(page, url, service) {
    const index = `${url}/${service}/`;
    const failures = [];
    let answered = null;
    await page.goto(index);
    await page.route(u => u.href !== index, async route => {
        if (!route.request().isNavigationRequest()) {
            return route.continue();
        }
        const response = await route.fetch({ maxRedirects: 5 });
        answered?.({ url: route.request().url(), status: response.status(), length: (await response.body()).length });
        await route.fulfill({ status: 204 });
    });
    try {
        const links = page.locator("a[href]");
        const hrefs = await links.evaluateAll(all => all.map(a => a.getAttribute("href")));
        check(hrefs.length > 0, `/${service}/ has no links`);
        for (let i = 0; i < hrefs.length; i++) {
            const answer = new Promise((resolve, reject) => {
                answered = resolve;
                setTimeout(() => reject(new Error(`no request after clicking /${service}/ link ${hrefs[i]}`)), 15000).unref();
            });
            await links.nth(i).click({ force: true, noWaitAfter: true });
            const { url: target, status, length } = await answer;
            if (status >= 400 || length === 0) {
                failures.push(`/${service}/ link ${JSON.stringify(hrefs[i])} -> ${target}: HTTP ${status}, ${length} bytes`);
            }
        }
        check(page.url() === index, `the page left the index: ${page.url()}`);
        return [hrefs.length, failures];
    } finally {
        await page.unrouteAll();
    }
}

async function every_form(ctx) {
    // every method's form page renders, has a Submit button, and its script runs without errors
    // (the Add button of each struct array adds a row of inputs)
    const page = ctx.page;
    const errors = [];
    const onError = e => errors.push(`${page.url()}: ${e.message}`);
    page.on("pageerror", onError);
    let forms = 0;
    try {
        for (const service of SERVICES) {
            await page.goto(`${ctx.url}/${service}/`);
            const hrefs = await page.locator('a[href*="form"]').evaluateAll(all => all.map(a => a.href));
            for (const href of hrefs) {
                await ctx.step(`${href}`, async () => {
                    checkEqual((await page.goto(href)).status(), 200, `${href} status`);
                    check(await page.locator('form input[type="submit"][value="Submit"]').count() === 1, `${href}: no Submit button`);
                    for (const add of await page.locator('input[type="button"][value="Add"]').all()) {
                        const before = await page.locator("input, textarea, select").count();
                        await add.click();
                        check(await page.locator("input, textarea, select").count() > before, `${href}: Add did not add inputs`);
                    }
                });
                forms++;
            }
        }
    } finally {
        page.off("pageerror", onError);
    }
    ctx.notes.forms = forms;
    check(errors.length === 0, `script errors on form pages:\n${errors.join("\n")}`);
}

async function index_links(ctx) {
    const failures = [];
    ctx.notes.clicked = {};
    for (const service of SERVICES) {
        const [clicked, failed] = await ctx.step(`click every link of /${service}/`, () => clickEveryLink(ctx.page, ctx.url, service));
        ctx.notes.clicked[service] = clicked;
        failures.push(...failed);
    }
    check(failures.length === 0, `${failures.length} links failed:\n${failures.join("\n")}`);
}

// ------------------------------------------------------------------ main

const FLOWS = { package_form, filespray_form, submit_modes, every_form, index_links };
const { url, names } = parseArgs(FLOWS);
// playwright-core starts Chromium with a fresh, temporary --user-data-dir of its own
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, timeout: 30000 });
try {
    const context = await browser.newContext();
    context.setDefaultTimeout(15000);
    const page = await context.newPage();
    process.exitCode = await runFlows(FLOWS, names, { url, page }, {
        failed: async () => ({ pageUrl: page.url(), pageText: (await page.content().catch(() => "")).slice(0, 1500) }),
    });
} finally {
    await browser.close();
}
