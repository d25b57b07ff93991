// bunqJSClient 1.1.2 (the community JavaScript client, from npm) on a tour of the local sandbox.
//
//     NODE_EXTRA_CA_CERTS=CA_FILE node js_tour.js MODULE_DIR BASE_URL
//
// MODULE_DIR is the installed @bunq-community/bunq-js-client; BASE_URL the sandbox's ".../v1/".
// The client is pointed at the sandbox the only way it allows (its SANDBOX base URL) and trusts the
// sandbox's CA through node's NODE_EXTRA_CA_CERTS. It makes its own keys (node-forge), keeps its
// session in the store we give it (in memory, as its storage interface asks), signs and verifies.
// Two users, A and B: A installs, registers a device, opens a session, reads users and accounts,
// asks sugar daddy for money, pays B, reads events, opens a bunq.me tab, and closes the session.
//
// Prints one JSON line: {"steps": [{"name", "status", "calls", "detail"}]}, as tests/tours.py reads.
"use strict";

const path = require("path");

const [moduleDir, baseUrl] = process.argv.slice(2);
const apiBase = baseUrl.replace(/\/v1\/?$/, "");
const Session = require(path.join(moduleDir, "dist/Session.js"));
Session.URL_ENVIROMENTS.SANDBOX = apiBase;
const BunqJSClient = require(path.join(moduleDir, "dist/BunqJSClient.js")).default;
const axios = require(require.resolve("axios", { paths: [moduleDir] }));

const POLL_MS = 20000; // how long a step waits for sandbox money (the client's own rate limiter paces GETs)
const ENCRYPTION_KEY = "3c7a4d431a846ed33a3bb1b1fa9b5c26"; // the client encrypts what it stores with this

class CheckFailed extends Error {}

function check(condition, message) {
    if (!condition) throw new CheckFailed(message);
}

function equal(actual, expected, what) {
    const a = JSON.stringify(actual);
    const e = JSON.stringify(expected);
    check(a === e, `${what}: expected ${e}, got ${a}`);
}

// --- every HTTP call, whichever axios instance the client uses ---------------------------------
const calls = [];
function record(config, status) {
    const url = new URL(config.url, apiBase);
    const params = config.params ? new URLSearchParams(config.params).toString() : "";
    const query = url.search || (params ? `?${params}` : "");
    calls.push(`${config.method.toUpperCase()} ${url.pathname.replace(/^\/v1\//, "")}${query} -> ${status}`);
}
function countCalls(instance) {
    instance.interceptors.response.use(
        response => {
            record(response.config, response.status);
            return response;
        },
        error => {
            if (error.config) record(error.config, error.response ? error.response.status : "no answer");
            return Promise.reject(error);
        }
    );
}
countCalls(axios);

const quiet = { debug() {}, log() {}, info() {}, trace() {}, warn() {}, error() {} };

function memoryStore() {
    const data = new Map();
    return {
        data,
        get: async key => data.get(key),
        set: async (key, value) => void data.set(key, value),
        remove: async key => void data.delete(key)
    };
}

function newClient(store) {
    const client = new BunqJSClient(store, quiet);
    client.setKeepAlive(false); // no background session refresh timers: the tour ends when its steps do
    client.ApiAdapter.RequestLimitFactory.axiosClients.forEach(countCalls);
    return client;
}

async function sandboxApiKey() {
    // bunqJSClient's own api.sandboxUser.post() calls POST /v1/sandbox-user, which bunq replaced in 2020
    // by sandbox-user-person (see the step "old-sandbox-user-endpoint"); make the user as bunq's docs do.
    const response = await axios.post(`${apiBase}/v1/sandbox-user-person`, "", {
        headers: { "Content-Type": "application/json", "User-Agent": "bunqJSClient tour" }
    });
    return response.data.Response[0].ApiKey.api_key;
}

function errorOf(error) {
    if (error instanceof CheckFailed) return error.message;
    if (error && error.response) {
        const data = error.response.data;
        const body = typeof data === "string" ? data : JSON.stringify(data);
        return `HTTP ${error.response.status} from ${error.config.method.toUpperCase()} ${error.config.url}: ${body}`;
    }
    if (error && error.errorCode) return `${error.errorCode}: ${errorOf(error.error)}`;
    return (error && error.stack) || String(error);
}

async function balanceOf(client, userId, accountId) {
    const read = await client.api.monetaryAccountBank.get(userId, accountId);
    return read.MonetaryAccountBank.balance.value;
}

async function waitForBalance(client, userId, accountId, expected) {
    const deadline = Date.now() + POLL_MS;
    let seen = await balanceOf(client, userId, accountId);
    while (seen !== expected && Date.now() < deadline) {
        await new Promise(resolve => setTimeout(resolve, 100));
        seen = await balanceOf(client, userId, accountId);
    }
    equal(seen, expected, `balance after waiting up to ${POLL_MS / 1000} s`);
}

function iban(account) {
    return account.alias.find(pointer => pointer.type === "IBAN").value;
}

// --- the steps -------------------------------------------------------------------------------------
const steps = [];
function step(name, needs, run) {
    steps.push({ name, needs, run });
}

const tour = {};

step("install", [], async () => {
    tour.storeA = memoryStore();
    tour.a = newClient(tour.storeA);
    await tour.a.run(await sandboxApiKey(), [], "SANDBOX", ENCRYPTION_KEY);
    await tour.a.install();
    const session = tour.a.Session;
    check(typeof session.installToken === "string" && session.installToken.length > 0, "installation token");
    check(String(session.serverPublicKeyPem).startsWith("-----BEGIN PUBLIC KEY-----"), "server public key PEM");
    check(!isNaN(new Date(session.installCreated).getTime()), `installation created ${session.installCreated}`);
    const stored = [...tour.storeA.data.keys()];
    check(stored.some(key => key.startsWith("BUNQJSCLIENT_SANDBOX_SESSION_")), `stored keys ${stored}`);
});

step("device", ["install"], async () => {
    await tour.a.registerDevice("bunqJSClient tour");
    const deviceId = tour.a.Session.deviceId;
    check(Number.isInteger(deviceId) && deviceId > 0, `device id ${deviceId}`);
    tour.deviceId = deviceId;
});

step("session", ["device"], async () => {
    await tour.a.registerSession();
    const session = tour.a.Session;
    check(typeof session.sessionToken === "string" && session.sessionToken !== session.installToken, "token");
    const days = (session.sessionExpiryTime.getTime() - Date.now()) / 86400000;
    check(days > 6.9 && days <= 7, `session expiry from token.created + session_timeout: ${days} days`);
    tour.userA = session.userInfo.UserPerson.id;
    check(Number.isInteger(tour.userA), `user id in the session answer ${tour.userA}`);
    // Read the device back through the client's own signed, verified transport. (Its
    // api.deviceRegistration.get() reads Response[0].Id.id, but GET device-server/{id} answers a
    // DeviceServer object, as bunq's SDKs read it: _OBJECT_TYPE_GET = "DeviceServer" in sdk_python.)
    const device = await tour.a.ApiAdapter.get(`/v1/device-server/${tour.deviceId}`);
    equal(device.Response[0].DeviceServer.id, tour.deviceId, "device-server/{id} read back");
    equal(device.Response[0].DeviceServer.description, "bunqJSClient tour", "device description");
});

step("session-again", ["session"], async () => {
    // A second session-server call goes out with the session token; bunq refuses it with the text
    // bunqJSClient turns into its INSTALLATION_HAS_SESSION error code.
    try {
        await tour.a.generateSession();
    } catch (error) {
        equal(error.errorCode, tour.a.errorCodes.INSTALLATION_HAS_SESSION, `error code (${errorOf(error)})`);
        return;
    }
    throw new CheckFailed("session-server with a session token was accepted");
});

step("users", ["session"], async () => {
    const users = await tour.a.getUsers(true);
    equal(Object.keys(users), ["UserPerson"], "user kinds");
    equal(users.UserPerson.id, tour.userA, "user id from GET user");
    const read = await tour.a.api.user.get(tour.userA);
    equal(read.UserPerson.id, tour.userA, "user id from GET user/{id}");
    check(read.UserPerson.display_name, "display name");
    tour.nameA = read.UserPerson.display_name;
});

step("accounts", ["session"], async () => {
    const listed = await tour.a.api.monetaryAccount.list(tour.userA);
    equal(listed.length, 1, "accounts of a new sandbox user");
    const account = listed[0].MonetaryAccountBank;
    check(account, `kind of account: ${Object.keys(listed[0])}`);
    equal([account.status, account.balance.value, account.currency], ["ACTIVE", "0.00", "EUR"], "account");
    tour.accountA = account.id;
    tour.ibanA = iban(account);
    const read = await tour.a.api.monetaryAccountBank.get(tour.userA, account.id);
    equal(iban(read.MonetaryAccountBank), tour.ibanA, "IBAN from monetary-account-bank/{id}");
});

step("sugar-daddy", ["accounts"], async () => {
    const sugarDaddy = { type: "EMAIL", value: "sugardaddy@bunq.com", name: "Sugar Daddy" };
    const amount = { value: "100.00", currency: "EUR" };
    const made = await tour.a.api.requestInquiry.post(tour.userA, tour.accountA, "js tour", amount, sugarDaddy);
    const inquiryId = made[0].Id.id;
    await waitForBalance(tour.a, tour.userA, tour.accountA, "100.00");
    const read = await tour.a.api.requestInquiry.get(tour.userA, tour.accountA, inquiryId);
    equal(read.RequestInquiry.status, "ACCEPTED", "request status once paid");
    const listed = await tour.a.api.requestInquiry.list(tour.userA, tour.accountA);
    equal(listed.map(item => item.RequestInquiry.id), [inquiryId], "requests listed");
});

step("second-user", [], async () => {
    tour.b = newClient(memoryStore());
    await tour.b.run(await sandboxApiKey(), [], "SANDBOX", ENCRYPTION_KEY);
    await tour.b.install();
    await tour.b.registerDevice("bunqJSClient tour B");
    await tour.b.registerSession();
    tour.userB = tour.b.Session.userInfo.UserPerson.id;
    const account = (await tour.b.api.monetaryAccount.list(tour.userB))[0].MonetaryAccountBank;
    tour.accountB = account.id;
    tour.ibanB = iban(account);
    check(tour.ibanB !== tour.ibanA, "A and B have different IBANs");
});

step("payment", ["sugar-daddy", "second-user"], async () => {
    const to = { type: "IBAN", value: tour.ibanB, name: "Tour B" };
    const made = await tour.a.api.payment.post(tour.userA, tour.accountA, "js payment", { value: "12.50", currency: "EUR" }, to);
    tour.paymentId = made[0].Id.id;
    equal(await balanceOf(tour.a, tour.userA, tour.accountA), "87.50", "A's balance after paying 12.50");
    equal(await balanceOf(tour.b, tour.userB, tour.accountB), "12.50", "B's balance after A paid");
    const read = (await tour.a.api.payment.get(tour.userA, tour.accountA, tour.paymentId)).Payment;
    equal([read.amount.value, read.description, read.counterparty_alias.iban], ["-12.50", "js payment", tour.ibanB], "payment");
    const listed = await tour.a.api.payment.list(tour.userA, tour.accountA);
    equal(listed[0].Payment.id, tour.paymentId, "newest payment first");
    equal(listed.length, 2, "payments: the sugar daddy money and the payment to B");
});

step("restore", ["payment"], async () => {
    // A new client on the same store and key picks the session up: no new installation or session.
    const before = calls.length;
    const again = newClient(tour.storeA);
    await again.run(tour.a.apiKey, [], "SANDBOX", ENCRYPTION_KEY);
    await again.install();
    await again.registerDevice("bunqJSClient tour");
    await again.registerSession();
    equal(calls.slice(before), [], "calls made to restore a stored session");
    equal(again.Session.sessionToken, tour.a.Session.sessionToken, "restored session token");
    const read = await again.api.payment.get(tour.userA, tour.accountA, tour.paymentId);
    equal(read.Payment.id, tour.paymentId, "payment read with the restored session");
});

step("events", ["payment"], async () => {
    const listed = await tour.a.api.event.list(tour.userA, { count: 50 });
    const ids = listed.map(item => item.Event.id);
    equal(ids, [...ids].sort((x, y) => y - x), "events newest first");
    const payments = listed.map(item => item.Event.object.Payment).filter(Boolean).map(payment => payment.id);
    check(payments.includes(tour.paymentId), `the payment ${tour.paymentId} in the events: ${payments}`);
});

step("bunqme-tab", ["accounts"], async () => {
    const made = await tour.a.api.bunqMeTabs.post(tour.userA, tour.accountA, "js tab", { value: "5.00", currency: "EUR" });
    const tabId = made[0].Id.id;
    const read = (await tour.a.api.bunqMeTabs.get(tour.userA, tour.accountA, tabId)).BunqMeTab;
    equal([read.status, read.bunqme_tab_entry.amount_inquired.value], ["WAITING_FOR_PAYMENT", "5.00"], "new tab");
    check(String(read.bunqme_tab_share_url).startsWith("https://"), `share URL ${read.bunqme_tab_share_url}`);
    const listed = await tour.a.api.bunqMeTabs.list(tour.userA, tour.accountA);
    check(listed.some(item => item.BunqMeTab.id === tabId), "tab listed");
    await tour.a.api.bunqMeTabs.put(tour.userA, tour.accountA, tabId, "CANCELLED");
    const cancelled = (await tour.a.api.bunqMeTabs.get(tour.userA, tour.accountA, tabId)).BunqMeTab;
    equal(cancelled.status, "CANCELLED", "tab after PUT CANCELLED");
});

step("old-sandbox-user-endpoint", [], async () => {
    // bunqJSClient still calls POST /v1/sandbox-user; bunq replaced it by sandbox-user-person and
    // sandbox-user-company in 2020 (bunq/sdk_python#151) and its API description has no such path.
    try {
        await tour.a.api.sandboxUser.post();
    } catch (error) {
        equal(error.response && error.response.status, 404, `status (${errorOf(error)})`);
        equal(error.response.data, { Error: [{ error_description: "Route not found.", error_description_translated: "Route not found." }] }, "body");
        return;
    }
    throw new CheckFailed("POST /v1/sandbox-user answered 200");
});

step("session-delete", ["session"], async () => {
    await tour.a.api.sessionServer.delete();
    try {
        await tour.a.api.user.list();
        throw new CheckFailed("a deleted session still answered GET user");
    } catch (error) {
        if (error instanceof CheckFailed) throw error;
        equal(error.response && error.response.status, 401, `status with a deleted session (${errorOf(error)})`);
    }
    await tour.a.destroyApiSession(true);
    await tour.a.registerSession();
    equal((await tour.a.api.user.list()).UserPerson.id, tour.userA, "user with a new session");
});

async function main() {
    const results = [];
    const passed = new Set();
    for (const current of steps) {
        const start = calls.length;
        const missing = current.needs.filter(name => !passed.has(name));
        if (missing.length) {
            results.push({ name: current.name, status: "blocked", calls: [], detail: `needs ${missing}`, missing });
            continue;
        }
        let status = "passed";
        let detail = "";
        try {
            await current.run();
            passed.add(current.name);
        } catch (error) {
            status = "failed";
            detail = errorOf(error);
        }
        results.push({ name: current.name, status, calls: calls.slice(start), detail });
    }
    process.stdout.write(JSON.stringify({ steps: results }) + "\n");
}

main().then(
    () => process.exit(0),
    error => {
        console.error(error);
        process.exit(1);
    }
);
