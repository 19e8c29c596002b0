// The Kubernetes deployment of vctp (deploy/k8s): renders the example overlay with
// `kubectl kustomize`, validates every object against the Kubernetes API schemas of the npm
// package kubernetes-models (types, required fields, and no field the schema does not declare),
// then checks the deployment policy: probes, resources, security contexts, the overlay's
// namespace, image and replica counts, references to ConfigMaps, Secrets and claims, Service
// selectors, Prometheus annotations and the settings file. Negative self-checks mutate copies of
// the rendered objects and require each mutation to be rejected, so that the test can fail.
//
//   node tests/deploy/k8s/k8s_test.js SOURCE_DIR
//
// Dependencies: kubectl (with its built-in kustomize) and the node_modules that scripts/bootstrap
// installs here from package-lock.json (npm ci).

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const sourceDir = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", ".."));
const baseDir = path.join(sourceDir, "deploy", "k8s", "base");
const overlayDir = path.join(sourceDir, "deploy", "k8s", "overlays", "example");
const settingsReference = path.join(sourceDir, "config", "vctp.yml");

function die(message) {
  console.error(`k8s_test: ${message}`);
  process.exit(1);
}

let YAML;
const models = {};
try {
  YAML = await import("yaml");
  models["v1"] = await import("kubernetes-models/v1");
  models["apps/v1"] = await import("kubernetes-models/apps/v1");
  models["policy/v1"] = await import("kubernetes-models/policy/v1");
  models["networking.k8s.io/v1"] = await import("kubernetes-models/networking.k8s.io/v1");
  models["autoscaling/v2"] = await import("kubernetes-models/autoscaling/v2");
  models["batch/v1"] = await import("kubernetes-models/batch/v1");
  models["rbac.authorization.k8s.io/v1"] = await import("kubernetes-models/rbac.authorization.k8s.io/v1");
} catch (e) {
  die(`cannot load the npm packages yaml and kubernetes-models (${e.message}); ` +
      `install them with scripts/bootstrap (npm ci in tests/deploy/k8s)`);
}

// --- rendering ------------------------------------------------------------------------------

function kubectl() {
  for (const candidate of [process.env.KUBECTL, "kubectl", "/usr/bin/kubectl"]) {
    if (!candidate) continue;
    try {
      execFileSync(candidate, ["version", "--client"], { stdio: "ignore" });
      return candidate;
    } catch {
      // try the next one
    }
  }
  die("kubectl not found (it renders the kustomize overlay): install kubectl 1.27 or later, " +
      "whose built-in kustomize is v5, or set KUBECTL to its path");
}

function render(dir) {
  try {
    return execFileSync(kubectl(), ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    die(`kubectl kustomize ${path.relative(sourceDir, dir)} failed:\n${e.stderr || e.message}`);
  }
}

function parseDocuments(text, what) {
  const objects = [];
  for (const doc of YAML.parseAllDocuments(text)) {
    if (doc.errors.length) die(`${what}: ${doc.errors.map((e) => e.message).join("; ")}`);
    const value = doc.toJS();
    if (value !== null && value !== undefined) objects.push(value);
  }
  return objects;
}

function readYaml(file) {
  try {
    return YAML.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    die(`${path.relative(sourceDir, file)}: ${e.message}`);
  }
}

// --- schema validation ----------------------------------------------------------------------

const CLUSTER_SCOPED = new Set(["Namespace", "PersistentVolume", "StorageClass", "ClusterRole",
                                "ClusterRoleBinding", "PriorityClass", "IngressClass"]);

function modelOf(obj) {
  const group = models[obj?.apiVersion];
  const Model = group?.[obj?.kind];
  if (!Model || Model.kind !== obj.kind || Model.apiVersion !== obj.apiVersion) return null;
  return Model;
}

function schemaErrors(Model, obj) {
  try {
    new Model(obj).validate();
    return [];
  } catch (e) {
    if (!Array.isArray(e.errors)) throw e;
    return e.errors;
  }
}

const escapePointer = (key) => key.replaceAll("~", "~0").replaceAll("/", "~1");

// The schemas of kubernetes-models do not forbid undeclared properties, where the API server
// (strict field validation) does. A field is declared when its schema constrains it: replaced
// by a value no schema accepts (a Symbol), the validator reports an error at exactly that path.
// An undeclared field is not looked at, so no error names it. Maps (labels, data) declare every
// key through their value schema.
const PROBE = Symbol("undeclared-field probe");

function undeclaredFields(Model, root) {
  const found = [];
  const walk = (node, pointer) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${pointer}/${i}`));
      return;
    }
    if (node === null || typeof node !== "object") return;
    for (const key of Object.keys(node)) {
      const at = `${pointer}/${escapePointer(key)}`;
      const saved = node[key];
      node[key] = PROBE;
      let declared;
      try {
        declared = schemaErrors(Model, root).some((e) => e.instancePath === at);
      } finally {
        node[key] = saved;
      }
      if (declared) walk(saved, at);
      else found.push(at);
    }
  };
  walk(root, "");
  return found;
}

const nameOf = (obj) => `${obj?.kind ?? "?"}/${obj?.metadata?.name ?? "?"}`;

function checkSchemas(objects, report) {
  for (const obj of objects) {
    const Model = modelOf(obj);
    if (!Model) {
      report(`${nameOf(obj)}: no Kubernetes schema for apiVersion ${obj?.apiVersion} kind ${obj?.kind}`);
      continue;
    }
    const copy = structuredClone(obj);
    for (const e of schemaErrors(Model, copy)) {
      report(`${nameOf(obj)}: schema: ${e.instancePath || "/"} ${e.message}`);
    }
    for (const at of undeclaredFields(Model, copy)) {
      report(`${nameOf(obj)}: schema: unknown field ${at}`);
    }
    if (!obj.metadata?.name) report(`${nameOf(obj)}: no metadata.name`);
  }
}

// --- policy ---------------------------------------------------------------------------------

const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"]);
const VCTP_COMPONENTS = ["collector", "aggregator", "reporter", "gateway"];
const VCTP_UID = 10001;
const SETTINGS_FILE = "/etc/vctp/vctp.yml";

const podSpecOf = (obj) =>
  obj.kind === "CronJob" ? obj.spec?.jobTemplate?.spec?.template?.spec : obj.spec?.template?.spec;
const podLabelsOf = (obj) =>
  (obj.kind === "CronJob" ? obj.spec?.jobTemplate?.spec?.template : obj.spec?.template)?.metadata?.labels ?? {};
const containersOf = (spec) => [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
const isVctp = (obj) => obj.kind === "Deployment" && obj.metadata?.labels?.["app.kubernetes.io/name"] === "vctp";
const componentOf = (obj) => obj.metadata?.labels?.["app.kubernetes.io/component"];
const matches = (selector, labels) =>
  Object.keys(selector ?? {}).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

function find(objects, kind, name) {
  return objects.find((o) => o.kind === kind && o.metadata?.name === name);
}

function settingsOf(objects, deployment, report) {
  // The settings file the vctp container reads: the ConfigMap volume mounted at /etc/vctp.
  const spec = podSpecOf(deployment);
  const container = spec?.containers?.[0];
  const mount = container?.volumeMounts?.find((m) => SETTINGS_FILE.startsWith(`${m.mountPath.replace(/\/$/, "")}/`));
  const volume = spec?.volumes?.find((v) => v.name === mount?.name);
  if (!volume?.configMap) {
    report(`${nameOf(deployment)}: no ConfigMap volume mounted over ${SETTINGS_FILE}`);
    return null;
  }
  const key = mount.subPath ?? path.relative(mount.mountPath, SETTINGS_FILE);
  const configMap = find(objects, "ConfigMap", volume.configMap.name);
  const text = configMap?.data?.[key];
  if (typeof text !== "string") return null;  // reported by checkReferences
  try {
    return YAML.parse(text);
  } catch (e) {
    report(`ConfigMap/${configMap.metadata.name}: ${key} is not YAML: ${e.message}`);
    return null;
  }
}

function effective(container, pod, field) {
  return container.securityContext?.[field] ?? pod.securityContext?.[field];
}

function resolvePort(container, port) {
  if (typeof port === "number") return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function checkContainers(obj, report) {
  const pod = podSpecOf(obj) ?? {};
  const where = nameOf(obj);
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) report(`${where}: shares a host namespace`);
  if (pod.automountServiceAccountToken !== false) {
    report(`${where}: automountServiceAccountToken is not false (no container uses the Kubernetes API)`);
  }
  for (const c of containersOf(pod)) {
    const at = `${where} container ${c.name}`;
    const isInit = (pod.initContainers ?? []).includes(c);
    if (!isInit) {
      if (!c.readinessProbe) report(`${at}: no readinessProbe`);
      if (!c.livenessProbe) report(`${at}: no livenessProbe`);
    }
    for (const kind of ["requests", "limits"]) {
      for (const resource of ["cpu", "memory"]) {
        if (c.resources?.[kind]?.[resource] === undefined) report(`${at}: no resources.${kind}.${resource}`);
      }
    }
    if (effective(c, pod, "runAsNonRoot") !== true) report(`${at}: runAsNonRoot is not true`);
    // Root in the container or as the pod's default: both are refused.
    if (c.securityContext?.runAsUser === 0 || pod.securityContext?.runAsUser === 0) report(`${at}: runAsUser is 0 (root)`);
    if (effective(c, pod, "runAsGroup") === 0) report(`${at}: runAsGroup is 0 (root)`);
    if (effective(c, pod, "runAsUser") === undefined) report(`${at}: no runAsUser (the image's user is not checked)`);
    if (c.securityContext?.allowPrivilegeEscalation !== false) report(`${at}: allowPrivilegeEscalation is not false`);
    if (c.securityContext?.privileged) report(`${at}: privileged`);
    if (c.securityContext?.readOnlyRootFilesystem !== true) report(`${at}: readOnlyRootFilesystem is not true`);
    if (!(c.securityContext?.capabilities?.drop ?? []).includes("ALL")) report(`${at}: capabilities do not drop ALL`);
    if ((c.securityContext?.capabilities?.add ?? []).length) report(`${at}: adds capabilities`);
    if (effective(c, pod, "seccompProfile")?.type !== "RuntimeDefault") report(`${at}: seccompProfile is not RuntimeDefault`);
    if (!/^[^:@]+(:[^:/]+|@sha256:[0-9a-f]{64})$/.test(c.image ?? "") || /:latest$/.test(c.image)) {
      report(`${at}: image ${c.image} has no fixed tag`);
    }
  }
}

function checkVctpDeployment(objects, obj, settings, report) {
  const where = nameOf(obj);
  const component = componentOf(obj);
  const pod = podSpecOf(obj) ?? {};
  if (!VCTP_COMPONENTS.includes(component)) {
    report(`${where}: label app.kubernetes.io/component ${component} is not one of ${VCTP_COMPONENTS.join(", ")}`);
    return;
  }
  if (pod.containers?.length !== 1) report(`${where}: has ${pod.containers?.length ?? 0} containers, not 1`);
  const c = pod.containers?.[0];
  if (!c) return;
  const at = `${where} container ${c.name}`;
  const command = [...(c.command ?? []), ...(c.args ?? [])];
  if (command[0] !== `vctp-${component}` || command[1] !== "-settings" || command[2] !== SETTINGS_FILE) {
    report(`${at}: runs ${JSON.stringify(command)}, not vctp-${component} -settings ${SETTINGS_FILE}`);
  }
  if (effective(c, pod, "runAsUser") !== VCTP_UID) report(`${at}: runAsUser is not ${VCTP_UID} (the image's vctp user)`);
  if (effective(c, pod, "runAsGroup") !== VCTP_UID) report(`${at}: runAsGroup is not ${VCTP_UID}`);
  for (const e of c.env ?? []) {
    if (!e.name.startsWith("VCTP_")) continue;
    const key = e.name.slice(5).toLowerCase();
    if (e.name !== "VCTP_SECRET_KEY" && e.name !== "VCTP_SETTINGS" && settings.reference && !settings.reference.has(key)) {
      report(`${at}: env ${e.name} names no setting (config/vctp.yml)`);
    }
  }
  const s = settings.values;
  if (!s) return;

  // Probes: /readyz and /healthz on the service's own port, HTTPS for the gateway.
  const gateway = component === "gateway";
  const wantPort = gateway ? s.bind_port ?? 9443 : s[`${component}_metrics_port`];
  const wantScheme = gateway && s.bind_disable_tls !== true ? "HTTPS" : "HTTP";
  for (const [probe, want] of [["readinessProbe", "/readyz"], ["livenessProbe", "/healthz"]]) {
    const get = c[probe]?.httpGet;
    if (!get) {
      if (c[probe]) report(`${at}: ${probe} is not an httpGet`);
      continue;
    }
    if (get.path !== want) report(`${at}: ${probe} path is ${get.path}, not ${want}`);
    const port = resolvePort(c, get.port);
    if (port !== wantPort) report(`${at}: ${probe} port is ${get.port} (${port}), not ${wantPort}`);
    if ((get.scheme ?? "HTTP") !== wantScheme) report(`${at}: ${probe} scheme is ${get.scheme ?? "HTTP"}, not ${wantScheme}`);
  }
  if (!(c.ports ?? []).some((p) => p.containerPort === wantPort)) report(`${at}: no containerPort ${wantPort}`);

  // Writable paths on a read-only root file system.
  const mounts = c.volumeMounts ?? [];
  const mountOf = (file) =>
    mounts.filter((m) => file === m.mountPath || file.startsWith(`${m.mountPath.replace(/\/$/, "")}/`))
          .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  const volumeOf = (mount) => pod.volumes?.find((v) => v.name === mount?.name);
  if (!mounts.some((m) => m.mountPath === "/tmp" && volumeOf(m)?.emptyDir)) report(`${at}: no emptyDir at /tmp`);

  if (component === "reporter" || component === "gateway") {
    const mount = mountOf(s.reports_dir ?? "");
    const claim = volumeOf(mount)?.persistentVolumeClaim?.claimName;
    if (!claim) {
      report(`${at}: reports_dir ${s.reports_dir} is not on a PersistentVolumeClaim`);
    } else {
      const pvc = find(objects, "PersistentVolumeClaim", claim);
      if (pvc && !(pvc.spec?.accessModes ?? []).includes("ReadWriteMany")) {
        report(`PersistentVolumeClaim/${claim}: reports_dir is shared by reporter and gateway pods: not ReadWriteMany`);
      }
      const readOnly = mount.readOnly === true;
      if (component === "reporter" && readOnly) report(`${at}: reports_dir is mounted read-only`);
    }
  }
  if (gateway && s.bind_disable_tls !== true) {
    for (const key of ["tls_cert_filename", "tls_key_filename"]) {
      const file = s[key];
      const volume = volumeOf(mountOf(file ?? ""));
      if (!file || !(volume?.emptyDir || volume?.secret || volume?.projected)) {
        report(`${at}: ${key} ${file} is neither in an emptyDir (generated there) nor in a mounted Secret`);
      }
    }
  }
}

function checkSettings(objects, settings, report) {
  const { values: s, reference } = settings;
  if (!s) return;
  for (const key of Object.keys(s)) {
    if (!reference.has(key)) report(`settings: unknown key ${key} (not in config/vctp.yml)`);
  }
  if (s.database_driver !== "postgres") report(`settings: database_driver is ${s.database_driver}, not postgres`);
  const hostOf = (url) => {
    try {
      return new URL(url).hostname;
    } catch {
      return null;
    }
  };
  const dbHost = hostOf(s.database_url);
  if (!dbHost || !find(objects, "Service", dbHost)) report(`settings: database_url ${s.database_url} names no Service`);
  const natsServices = String(s.nats_url ?? "").split(",").map((u) => hostOf(u.trim()));
  for (const host of natsServices) {
    if (!host || !find(objects, "Service", host)) report(`settings: nats_url ${s.nats_url} names no Service`);
  }
  const nats = objects.find((o) => o.kind === "StatefulSet" && o.metadata?.name === natsServices[0]);
  if (!nats) {
    report(`settings: no StatefulSet ${natsServices[0]} for nats_url`);
  } else if ((s.nats_stream_replicas ?? 1) > (nats.spec?.replicas ?? 1)) {
    report(`settings: nats_stream_replicas ${s.nats_stream_replicas} exceeds the ${nats.spec?.replicas} NATS servers`);
  }
  if (s.nats_stream_replicas !== 3) report(`settings: nats_stream_replicas is ${s.nats_stream_replicas}, not 3`);
}

function checkNats(objects, report) {
  const sts = find(objects, "StatefulSet", "nats");
  if (!sts) {
    report("StatefulSet/nats: missing");
    return;
  }
  if (sts.spec?.replicas !== 3) report(`StatefulSet/nats: ${sts.spec?.replicas} replicas, not 3`);
  const headless = find(objects, "Service", sts.spec?.serviceName);
  if (headless?.spec?.clusterIP !== "None") report(`StatefulSet/nats: serviceName ${sts.spec?.serviceName} is not a headless Service`);
  const c = podSpecOf(sts)?.containers?.[0];
  if (!/^nats:2\.10(\.|$)/.test(c?.image ?? "")) report(`StatefulSet/nats: image ${c?.image}, not nats:2.10`);
  const store = (sts.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name);
  if (!(c?.volumeMounts ?? []).some((m) => store.includes(m.name))) report("StatefulSet/nats: JetStream store is not on a volumeClaimTemplate");
  const configVolume = podSpecOf(sts)?.volumes?.find((v) => v.configMap);
  const conf = find(objects, "ConfigMap", configVolume?.configMap?.name)?.data?.["nats.conf"] ?? "";
  if (!/jetstream\s*\{/.test(conf)) report("nats.conf: no jetstream block");
  if (!/cluster\s*\{[^}]*name:/.test(conf)) report("nats.conf: no cluster name");
  for (let i = 0; i < (sts.spec?.replicas ?? 0); i++) {
    if (!conf.includes(`${sts.metadata.name}-${i}.${sts.spec?.serviceName}`)) {
      report(`nats.conf: no route to ${sts.metadata.name}-${i}.${sts.spec?.serviceName}`);
    }
  }
  const client = find(objects, "Service", "nats");
  if (!(client?.spec?.ports ?? []).some((p) => p.port === 4222)) report("Service/nats: no port 4222");
}

function checkReferences(objects, report) {
  for (const obj of objects.filter((o) => WORKLOADS.has(o.kind))) {
    const pod = podSpecOf(obj) ?? {};
    const where = nameOf(obj);
    const needKey = (kind, name, key, what) => {
      const target = find(objects, kind, name);
      if (!target) {
        report(`${where}: ${what} refers to ${kind}/${name}, which is not in the render`);
        return;
      }
      if (key !== undefined && !(key in (target.data ?? {})) && !(key in (target.stringData ?? {})) &&
          !(key in (target.binaryData ?? {}))) {
        report(`${where}: ${what} refers to key ${key} of ${kind}/${name}, which has no such key`);
      }
    };
    const claims = (obj.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name);
    const volumes = new Set();
    for (const v of pod.volumes ?? []) {
      volumes.add(v.name);
      if (v.configMap && !v.configMap.optional) needKey("ConfigMap", v.configMap.name, undefined, `volume ${v.name}`);
      if (v.secret && !v.secret.optional) needKey("Secret", v.secret.secretName, undefined, `volume ${v.name}`);
      if (v.persistentVolumeClaim) needKey("PersistentVolumeClaim", v.persistentVolumeClaim.claimName, undefined, `volume ${v.name}`);
      for (const item of v.configMap?.items ?? []) needKey("ConfigMap", v.configMap.name, item.key, `volume ${v.name}`);
      for (const item of v.secret?.items ?? []) needKey("Secret", v.secret.secretName, item.key, `volume ${v.name}`);
    }
    for (const c of containersOf(pod)) {
      for (const m of c.volumeMounts ?? []) {
        if (!volumes.has(m.name) && !claims.includes(m.name)) report(`${where} container ${c.name}: mounts unknown volume ${m.name}`);
        if (m.subPath) {
          const v = pod.volumes?.find((x) => x.name === m.name);
          if (v?.configMap) needKey("ConfigMap", v.configMap.name, m.subPath, `mount ${m.mountPath}`);
        }
      }
      for (const e of c.env ?? []) {
        const s = e.valueFrom?.secretKeyRef;
        const m = e.valueFrom?.configMapKeyRef;
        if (s && !s.optional) needKey("Secret", s.name, s.key, `env ${e.name}`);
        if (m && !m.optional) needKey("ConfigMap", m.name, m.key, `env ${e.name}`);
      }
      for (const from of c.envFrom ?? []) {
        if (from.secretRef && !from.secretRef.optional) needKey("Secret", from.secretRef.name, undefined, "envFrom");
        if (from.configMapRef && !from.configMapRef.optional) needKey("ConfigMap", from.configMapRef.name, undefined, "envFrom");
      }
    }
    if (obj.spec?.selector?.matchLabels && !matches(obj.spec.selector.matchLabels, podLabelsOf(obj))) {
      report(`${where}: selector does not match its pod template labels`);
    }
  }
}

function checkServices(objects, report) {
  const workloads = objects.filter((o) => WORKLOADS.has(o.kind));
  for (const svc of objects.filter((o) => o.kind === "Service")) {
    const where = nameOf(svc);
    if (svc.spec?.type === "ExternalName") {
      if (!svc.spec.externalName) report(`${where}: ExternalName without externalName`);
      continue;
    }
    const selected = workloads.filter(
      (w) => w.metadata?.namespace === svc.metadata?.namespace && matches(svc.spec?.selector, podLabelsOf(w)));
    if (!selected.length) {
      report(`${where}: selector ${JSON.stringify(svc.spec?.selector ?? {})} matches no pod template`);
      continue;
    }
    for (const port of svc.spec?.ports ?? []) {
      const target = port.targetPort ?? port.port;
      const served = selected.every((w) => containersOf(podSpecOf(w)).some((c) =>
        (c.ports ?? []).some((p) => (typeof target === "number" ? p.containerPort === target : p.name === target))));
      if (!served) report(`${where}: targetPort ${target} is no container port of the pods it selects`);
    }
    const a = svc.metadata?.annotations ?? {};
    if (a["prometheus.io/scrape"] !== undefined) {
      if (a["prometheus.io/scrape"] !== "true") report(`${where}: prometheus.io/scrape is not "true"`);
      if (!(svc.spec?.ports ?? []).some((p) => String(p.port) === a["prometheus.io/port"])) {
        report(`${where}: prometheus.io/port ${a["prometheus.io/port"]} is none of its ports`);
      }
      if (a["prometheus.io/path"] !== "/metrics") report(`${where}: prometheus.io/path is not /metrics`);
    }
  }
  // Each vctp service is scraped: the collector, aggregator and reporter on their metrics port,
  // the gateway on its HTTPS port.
  for (const dep of objects.filter(isVctp)) {
    const component = componentOf(dep);
    const labels = podLabelsOf(dep);
    const scraped = objects.filter((o) => o.kind === "Service" && matches(o.spec?.selector, labels) &&
                                         o.metadata?.annotations?.["prometheus.io/scrape"] === "true");
    if (!scraped.length) {
      report(`${nameOf(dep)}: no Service with prometheus.io/scrape "true" selects its pods`);
      continue;
    }
    const port = resolvePort(dep.spec.template.spec.containers[0], dep.spec.template.spec.containers[0].readinessProbe?.httpGet?.port);
    if (!scraped.some((svc) => svc.metadata.annotations["prometheus.io/port"] === String(port))) {
      report(`${nameOf(dep)}: no scraped Service on its port ${port}`);
    }
    if (component === "gateway" && !scraped.some((svc) => svc.metadata.annotations["prometheus.io/scheme"] === "https")) {
      report(`${nameOf(dep)}: its /metrics is HTTPS but no scraped Service says prometheus.io/scheme: https`);
    }
  }
  const gateway = find(objects, "Service", "vctp-gateway");
  if (!(gateway?.spec?.ports ?? []).some((p) => p.port === 9443)) report("Service/vctp-gateway: missing or without port 9443");
}

function checkSecret(objects, report) {
  const secret = find(objects, "Secret", "vctp-secrets");
  if (!secret) {
    report("Secret/vctp-secrets: missing");
    return;
  }
  const value = (key) => secret.stringData?.[key] ??
    (secret.data?.[key] !== undefined ? Buffer.from(secret.data[key], "base64").toString() : undefined);
  for (const key of ["VCTP_DATABASE_URL", "VCTP_VCENTER_PASSWORD", "VCTP_API_TOKENS"]) {
    if (value(key) === undefined) report(`Secret/vctp-secrets: no ${key}`);
  }
  for (const hash of String(value("VCTP_API_TOKENS") ?? "").split(",")) {
    if (!/^[0-9a-f]{64}$/.test(hash.trim())) report(`Secret/vctp-secrets: VCTP_API_TOKENS entry "${hash}" is no SHA-256 hex hash`);
  }
  if (!String(value("VCTP_DATABASE_URL") ?? "").startsWith("postgres://")) report("Secret/vctp-secrets: VCTP_DATABASE_URL is no postgres:// URL");
}

function checkOverlay(objects, overlay, report) {
  const namespace = overlay.namespace;
  if (!namespace) report("overlay: sets no namespace");
  if (!objects.some((o) => o.kind === "Namespace" && o.metadata?.name === namespace)) {
    report(`overlay: no Namespace ${namespace} in the render`);
  }
  for (const obj of objects) {
    if (CLUSTER_SCOPED.has(obj.kind)) continue;
    if (obj.metadata?.namespace !== namespace) {
      report(`${nameOf(obj)}: namespace ${obj.metadata?.namespace}, not the overlay's ${namespace}`);
    }
  }
  const image = (overlay.images ?? []).find((i) => i.name === "vctp");
  if (!image?.newTag) {
    report("overlay: sets no newTag for the image vctp");
  } else {
    const want = `${image.newName ?? "vctp"}:${image.newTag}`;
    for (const dep of objects.filter(isVctp)) {
      for (const c of containersOf(podSpecOf(dep))) {
        if (c.image !== want) report(`${nameOf(dep)} container ${c.name}: image ${c.image}, not the overlay's ${want}`);
      }
    }
  }
  const counts = Object.fromEntries((overlay.replicas ?? []).map((r) => [r.name, r.count]));
  for (const component of VCTP_COMPONENTS) {
    const name = `vctp-${component}`;
    const dep = find(objects, "Deployment", name);
    if (!dep) {
      report(`Deployment/${name}: missing`);
      continue;
    }
    if (counts[name] === undefined) report(`overlay: no replicas entry for ${name}`);
    else if (dep.spec?.replicas !== counts[name]) report(`Deployment/${name}: ${dep.spec?.replicas} replicas, not the overlay's ${counts[name]}`);
  }
  for (const [name, count] of Object.entries(counts)) {
    if (!objects.some((o) => (o.kind === "Deployment" || o.kind === "StatefulSet") && o.metadata?.name === name)) {
      report(`overlay: replicas for ${name}, which is not in the render`);
    } else if (find(objects, "Deployment", name) === undefined && find(objects, "StatefulSet", name)?.spec?.replicas !== count) {
      report(`StatefulSet/${name}: not the overlay's ${count} replicas`);
    }
  }
  for (const name of ["vctp-aggregator", "vctp-reporter"]) {
    const dep = find(objects, "Deployment", name);
    if (dep && !(dep.spec?.replicas >= 2)) report(`Deployment/${name}: ${dep.spec?.replicas} replicas in the example, not 2 or more`);
  }
}

function checkAll(objects, context) {
  const problems = [];
  const report = (message) => problems.push(message);
  checkSchemas(objects, report);
  const settings = { reference: context.reference, values: null };
  const vctp = objects.filter(isVctp);
  for (const dep of vctp) {
    const values = settingsOf(objects, dep, report);
    if (values && (!values.settings || typeof values.settings !== "object" || Object.keys(values).length !== 1)) {
      report(`${nameOf(dep)}: its settings file has not every key under settings:`);
    }
    settings.values ??= values?.settings ?? null;
    if (values?.settings && JSON.stringify(values.settings) !== JSON.stringify(settings.values)) {
      report(`${nameOf(dep)}: reads other settings than the other services`);
    }
  }
  if (!settings.values) report("settings: no vctp Deployment reads a settings file from a ConfigMap");
  for (const obj of objects.filter((o) => WORKLOADS.has(o.kind))) checkContainers(obj, report);
  for (const dep of vctp) checkVctpDeployment(objects, dep, settings, report);
  checkSettings(objects, settings, report);
  checkNats(objects, report);
  checkReferences(objects, report);
  checkServices(objects, report);
  checkSecret(objects, report);
  checkOverlay(objects, context.overlay, report);
  return problems;
}

// --- the run --------------------------------------------------------------------------------

let failures = 0;
let count = 0;
function result(ok, name, details = []) {
  count++;
  console.log(`${ok ? "ok" : "not ok"} ${count} - ${name}`);
  for (const d of details) console.log(`#   ${d}`);
  if (!ok) failures++;
}

const reference = new Set(Object.keys(readYaml(settingsReference)?.settings ?? {}));
if (!reference.size) die(`${settingsReference}: no settings`);
const overlay = readYaml(path.join(overlayDir, "kustomization.yaml"));
const context = { reference, overlay };

const baseObjects = parseDocuments(render(baseDir), "kubectl kustomize deploy/k8s/base");
const baseProblems = [];
checkSchemas(baseObjects, (m) => baseProblems.push(m));
result(baseProblems.length === 0, `deploy/k8s/base renders ${baseObjects.length} objects, all valid`, baseProblems);

const objects = parseDocuments(render(overlayDir), "kubectl kustomize deploy/k8s/overlays/example");
const kinds = {};
for (const o of objects) kinds[o.kind] = (kinds[o.kind] ?? 0) + 1;
console.log(`# overlay example: ${objects.length} objects: ${Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(", ")}`);
const problems = checkAll(objects, context);
result(problems.length === 0, "overlays/example: schemas and deployment policy", problems);

// Negative self-checks: each mutation of a copy of the render must be rejected, with a problem
// matching `expect`.
const deployment = (objs, name) => find(objs, "Deployment", name);
const firstContainer = (objs, name) => deployment(objs, name).spec.template.spec.containers[0];
const negatives = [
  ["an unknown field in a Deployment spec", /Deployment\/vctp-aggregator: schema: unknown field \/spec\/replica\b/,
   (o) => { deployment(o, "vctp-aggregator").spec.replica = 2; }],
  ["an unknown field in a container", /schema: unknown field \/spec\/template\/spec\/containers\/0\/readinesProbe/,
   (o) => { firstContainer(o, "vctp-reporter").readinesProbe = firstContainer(o, "vctp-reporter").readinessProbe; }],
  ["a string where the schema wants an integer", /Deployment\/vctp-gateway: schema: \/spec\/replicas must be integer/,
   (o) => { deployment(o, "vctp-gateway").spec.replicas = "two"; }],
  ["a Service without its required ports type", /Service\/nats: schema: \/spec\/ports\/0\/port must be integer/,
   (o) => { find(o, "Service", "nats").spec.ports[0].port = "4222"; }],
  ["an object of a kind no schema knows", /no Kubernetes schema for apiVersion apps\/v1 kind Deploymnet/,
   (o) => { deployment(o, "vctp-reporter").kind = "Deploymnet"; }],
  ["no readinessProbe", /vctp-collector container collector: no readinessProbe/,
   (o) => { delete firstContainer(o, "vctp-collector").readinessProbe; }],
  ["no livenessProbe on NATS", /StatefulSet\/nats container nats: no livenessProbe/,
   (o) => { delete find(o, "StatefulSet", "nats").spec.template.spec.containers[0].livenessProbe; }],
  ["the readiness probe on /metrics", /readinessProbe path is \/metrics, not \/readyz/,
   (o) => { firstContainer(o, "vctp-aggregator").readinessProbe.httpGet.path = "/metrics"; }],
  ["the gateway probed over HTTP", /vctp-gateway container gateway: livenessProbe scheme is HTTP, not HTTPS/,
   (o) => { delete firstContainer(o, "vctp-gateway").livenessProbe.httpGet.scheme; }],
  ["a probe on another port", /readinessProbe port is 9101 \(9101\), not 9103/,
   (o) => { firstContainer(o, "vctp-reporter").readinessProbe.httpGet.port = 9101; }],
  ["runAsUser 0 in a container", /vctp-gateway container gateway: runAsUser is 0 \(root\)/,
   (o) => { firstContainer(o, "vctp-gateway").securityContext.runAsUser = 0; }],
  ["runAsNonRoot false in a pod", /vctp-collector container collector: runAsNonRoot is not true/,
   (o) => { const d = deployment(o, "vctp-collector"); d.spec.template.spec.securityContext.runAsNonRoot = false;
            delete d.spec.template.spec.containers[0].securityContext.runAsNonRoot; }],
  ["runAsNonRoot false in a container", /StatefulSet\/nats container nats: runAsNonRoot is not true/,
   (o) => { find(o, "StatefulSet", "nats").spec.template.spec.containers[0].securityContext.runAsNonRoot = false; }],
  ["allowPrivilegeEscalation true", /vctp-reporter container reporter: allowPrivilegeEscalation is not false/,
   (o) => { firstContainer(o, "vctp-reporter").securityContext.allowPrivilegeEscalation = true; }],
  ["a writable root file system", /readOnlyRootFilesystem is not true/,
   (o) => { delete firstContainer(o, "vctp-aggregator").securityContext.readOnlyRootFilesystem; }],
  ["no resource limits", /vctp-aggregator container aggregator: no resources\.limits\.memory/,
   (o) => { delete firstContainer(o, "vctp-aggregator").resources.limits; }],
  ["a reference to a missing Secret", /env VCTP_DATABASE_URL refers to Secret\/vctp-secret, which is not in the render/,
   (o) => { firstContainer(o, "vctp-reporter").env[0].valueFrom.secretKeyRef.name = "vctp-secret"; }],
  ["a reference to a missing Secret key", /refers to key VCTP_API_TOKEN of Secret\/vctp-secrets, which has no such key/,
   (o) => { firstContainer(o, "vctp-gateway").env.find((e) => e.name === "VCTP_API_TOKENS").valueFrom.secretKeyRef.key = "VCTP_API_TOKEN"; }],
  ["a missing settings ConfigMap", /volume settings refers to ConfigMap\/vctp-settings, which is not in the render/,
   (o) => { deployment(o, "vctp-collector").spec.template.spec.volumes.find((v) => v.name === "settings").configMap.name = "vctp-settings"; }],
  ["a Service selecting no pods", /Service\/vctp-reporter-metrics: selector .* matches no pod template/,
   (o) => { find(o, "Service", "vctp-reporter-metrics").spec.selector["app.kubernetes.io/component"] = "reports"; }],
  ["an object outside the overlay's namespace", /Service\/nats-headless: namespace default, not the overlay's vctp/,
   (o) => { find(o, "Service", "nats-headless").metadata.namespace = "default"; }],
  ["an image without the overlay's tag", /vctp-aggregator container aggregator: image vctp:latest/,
   (o) => { firstContainer(o, "vctp-aggregator").image = "vctp:latest"; }],
  ["replicas other than the overlay's", /Deployment\/vctp-reporter: 1 replicas, not the overlay's 2/,
   (o) => { deployment(o, "vctp-reporter").spec.replicas = 1; }],
  ["a misspelt settings key", /settings: unknown key nats_stream_replica \(not in config\/vctp.yml\)/,
   (o) => { for (const cm of o.filter((x) => x.kind === "ConfigMap" && x.data?.["vctp.yml"])) {
              cm.data["vctp.yml"] = cm.data["vctp.yml"].replace("nats_stream_replicas:", "nats_stream_replica:"); } }],
  ["reports on a ReadWriteOnce claim", /PersistentVolumeClaim\/vctp-reports: .* not ReadWriteMany/,
   (o) => { find(o, "PersistentVolumeClaim", "vctp-reports").spec.accessModes = ["ReadWriteOnce"]; }],
  ["a Prometheus annotation on the wrong port", /Service\/vctp-collector-metrics: prometheus.io\/port 9102 is none of its ports/,
   (o) => { find(o, "Service", "vctp-collector-metrics").metadata.annotations["prometheus.io/port"] = "9102"; }],
  ["a NATS route missing", /nats.conf: no route to nats-2.nats-headless/,
   (o) => { const cm = o.find((x) => x.kind === "ConfigMap" && x.data?.["nats.conf"]);
            cm.data["nats.conf"] = cm.data["nats.conf"].replace(/.*nats-2\.nats-headless.*\n/, ""); }],
  ["an API token that is no hash", /VCTP_API_TOKENS entry "change-me" is no SHA-256 hex hash/,
   (o) => { find(o, "Secret", "vctp-secrets").stringData.VCTP_API_TOKENS = "change-me"; }],
];

for (const [what, expect, mutate] of negatives) {
  const copy = structuredClone(objects);
  let found = [];
  try {
    mutate(copy);
    found = checkAll(copy, context);
  } catch (e) {
    result(false, `rejects ${what}`, [`the mutation or the check threw: ${e.stack}`]);
    continue;
  }
  const hit = found.find((p) => expect.test(p));
  result(Boolean(hit), `rejects ${what}`,
         hit ? [hit] : [`expected a problem matching ${expect}`, ...found.map((p) => `got: ${p}`)]);
}

console.log(`1..${count}`);
if (failures) {
  console.log(`# ${failures} of ${count} failed`);
  process.exit(1);
}
console.log(`# all ${count} passed`);
