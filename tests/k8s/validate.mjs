// SPDX-License-Identifier: Apache-2.0
// Kubernetes objects checked against the Kubernetes API's own schemas, with
// no API server: each YAML document (or JSON line) given is
//  - validated by kubernetes-models (JSON schemas generated from the
//    Kubernetes OpenAPI document: types, required members, enums, formats),
//  - walked against @kubernetes/client-node's models (generated from the
//    same OpenAPI document), which know every member of every type, so that
//    a member the API does not have (a typo the API server would drop) is
//    an error too, as `kubectl apply --validate=strict` would make it.
//
//   node validate.mjs FILE...      (.yaml: documents; .jsonl: one object a line)
//
// Prints "FILE: KIND NAME: ok" or the problems, exits 1 on any. Run from a
// directory whose node_modules has kubernetes-models, @kubernetes/client-node
// and js-yaml (tests/install-deps.sh installs them in the cache).
import { readFileSync } from "node:fs";
import yaml from "js-yaml";
import * as k8s from "@kubernetes/client-node";

// apiVersion -> the directory of kubernetes-models' classes.
function modelPath(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  return `kubernetes-models/${group ? group + "/" : ""}${version}/${kind}`;
}

// apiVersion + kind -> client-node's model class name.
function clientModelName(apiVersion, kind) {
  const version = apiVersion.split("/").pop();
  const prefix = version.charAt(0).toUpperCase() + version.slice(1);
  for (const name of [`${prefix}${kind}`, `Core${prefix}${kind}`]) {
    if (k8s[name] && k8s[name].getAttributeTypeMap) return name;
  }
  return null;
}

function unknownMembers(value, type, path, problems) {
  if (value === null || value === undefined) return;
  let m;
  if ((m = /^Array<(.+)>$/.exec(type))) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownMembers(v, m[1], `${path}[${i}]`, problems));
    return;
  }
  if ((m = /^\{ \[key: string\]: (.+); \}$/.exec(type))) {
    if (typeof value === "object") for (const [k, v] of Object.entries(value)) unknownMembers(v, m[1], `${path}.${k}`, problems);
    return;
  }
  const model = k8s[type];
  if (!model || !model.getAttributeTypeMap || typeof value !== "object" || Array.isArray(value)) return;
  const members = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    if (!members.has(k)) problems.push(`${path}.${k}: no such member of ${type}`);
    else unknownMembers(v, members.get(k), `${path}.${k}`, problems);
  }
}

async function check(object, where) {
  const problems = [];
  const { apiVersion, kind } = object ?? {};
  if (!apiVersion || !kind) return [`${where}: no apiVersion and kind`];
  let Model;
  try {
    Model = (await import(modelPath(apiVersion, kind)))[kind];
  } catch {
    return [`${where}: ${apiVersion} ${kind} is not a Kubernetes kind`];
  }
  try {
    new Model(object).validate();
  } catch (e) {
    problems.push(`schema: ${e.message}`);
  }
  const name = clientModelName(apiVersion, kind);
  if (!name) problems.push(`no model of ${apiVersion} ${kind} to check members against`);
  else unknownMembers(object, name, kind, problems);
  return problems.map((p) => `${where}: ${kind} ${object.metadata?.name ?? "?"}: ${p}`);
}

let failed = false;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  const documents = file.endsWith(".jsonl")
    ? text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l))
    : yaml.loadAll(text).filter((d) => d !== null && d !== undefined);
  if (documents.length === 0) {
    console.log(`${file}: no object`);
    failed = true;
  }
  for (const [i, object] of documents.entries()) {
    const problems = await check(object, `${file}#${i + 1}`);
    if (problems.length) {
      failed = true;
      problems.forEach((p) => console.log(p));
    } else {
      console.log(`${file}#${i + 1}: ${object.kind} ${object.metadata?.name}: ok`);
    }
  }
}
process.exit(failed ? 1 : 0);
