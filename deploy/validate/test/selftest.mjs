// Self-test: the validator must reject broken deployment files. Each case copies the real files into a
// temporary tree, breaks one thing, runs the whole validation on the copy and expects an error that names the
// fault. A case passes only if that exact fault is reported.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { validateAll } from "../lib/pipeline.mjs";
import { LIBRARY_MODULES, SERVICES, TOPICS_JAVA } from "../lib/services.mjs";

const S = "deploy/base/services", K = "deploy/components/strimzi-kafka", X = "deploy/overlays/external";
const CASES = [
  // Schema: core Kubernetes objects (kubernetes-models)
  { what: "a Deployment with a wrong field type (replicas: two)", file: `${S}/inventory-service.yaml`, from: "replicas: 2", to: "replicas: two", expect: "Deployment/inventory-service, as built by deploy/base): /spec/replicas: must be integer" },
  { what: "a Service port that is a string", file: `${S}/scheduler-service.yaml`, from: "      port: 8082", to: '      port: "8082"', expect: "/spec/ports/0/port: must be integer" },
  { what: "a NetworkPolicy with an invalid protocol", file: "deploy/base/services/networkpolicies.yaml", from: "{ protocol: TCP, port: 9083 }", to: "{ protocol: TCPX, port: 8083 }", expect: "protocol: must be one of SCTP, TCP, UDP" },
  { what: "an HPA without maxReplicas", file: `${S}/migration-worker.yaml`, from: "  maxReplicas: 3\n", to: "", expect: "/spec: must have required property maxReplicas" },
  // Schema: custom resources (the CRDs' openAPIV3Schema)
  { what: "a KafkaTopic with an invalid field value (partitions: 0)", file: `${K}/topics.yaml`, from: "partitions: 3", to: "partitions: 0", expect: "/spec/partitions: must be >= 1" },
  { what: "a KafkaTopic with an unknown field", file: `${K}/topics.yaml`, from: "  replicas: 3\n", to: "  replicas: 3\n  replicationFactor: 3\n", expect: 'unknown field "replicationFactor"' },
  { what: "a KafkaUser ACL with an unknown operation", file: `${K}/users.yaml`, from: "operations: [Read]", to: "operations: [Consume]", expect: "/spec/authorization/acls/1/operations/0: must be one of" },
  { what: "a Kafka listener of an unknown type", file: `${K}/kafka.yaml`, from: "type: internal", to: "type: private", expect: "/spec/kafka/listeners/0/type: must be one of" },
  { what: "a KafkaNodePool without roles", file: `${K}/kafka.yaml`, from: "  roles:\n    - controller\n    - broker\n", to: "", expect: "must have required property 'roles'" },
  { what: "a CloudNativePG Cluster with instances: 0", file: "deploy/components/cloudnative-pg/cluster.yaml", from: "instances: 3", to: "instances: 0", expect: "/spec/instances: must be >= 1" },
  { what: "a Strimzi resource of a version the CRD does not serve", file: `${K}/topics.yaml`, from: "apiVersion: kafka.strimzi.io/v1\n", to: "apiVersion: kafka.strimzi.io/v1alpha9\n", expect: "no served CRD version for kafka.strimzi.io/v1alpha9 KafkaTopic" },
  // Compose specification
  { what: "a compose service with an invalid key", file: "docker-compose.yml", from: "    restart: unless-stopped\n", to: "    restart_policy: always\n", expect: 'unknown field "restart_policy"' },
  { what: "a compose healthcheck with a wrong type", file: "docker-compose.yml", from: "      retries: 20", to: "      retries: [20]", expect: "/services/postgres/healthcheck/retries" },
  { what: "a PostgreSQL healthcheck over the Unix socket", file: "docker-compose.yml", from: '"pg_isready", "-h", "127.0.0.1", "-p", "5432",', to: '"pg_isready",', expect: "healthcheck must ask over TCP" },
  { what: "a service without a memory limit in compose", file: "docker-compose.yml", from: "mem_limit: 768m   # inventory-service", to: "# no limit   # inventory-service", expect: "inventory-service: no memory limit" },
  // kustomize
  { what: "an overlay that does not build", file: "deploy/overlays/dev/kustomization.yaml", from: "  - ../../base", to: "  - ../../basis", expect: "deploy/overlays/dev: error: accumulating resources" },
  // Cross-checks
  { what: "a KafkaTopic with a wrong topic name", file: `${K}/topics.yaml`, from: "topicName: migration-commands\n", to: "topicName: migration-command\n", expect: "KafkaTopic migration-command is not a topic of Topics.java" },
  { what: "a compose init job with a wrong topic name", file: "docker-compose.yml", from: "--topic migration-events-dlq", to: "--topic migration-event-dlq", expect: "topic migration-events-dlq (Topics.java) is not created" },
  { what: "a KafkaUser ACL for the wrong consumer group", file: `${K}/users.yaml`, from: "{ type: group, name: migration-worker,", to: "{ type: group, name: migration-workers,", expect: "KafkaUser/migration-worker lacks group:migration-worker Read" },
  { what: "a KafkaUser missing the dead-letter topic", file: `${K}/users.yaml`, from: "      - resource: { type: topic, name: migration-commands-dlq, patternType: literal }\n        operations: [Write, Describe]\n", to: "", expect: "lacks topic:migration-commands-dlq Write" },
  { what: "a container port that differs from the service's", file: `${S}/migration-worker.yaml`, from: "containerPort: 8083", to: "containerPort: 8084", expect: "containerPort 8084, but migration-worker listens on 8083" },
  { what: "FERRY_INVENTORY_URL on the wrong port", file: `${S}/scheduler-service.yaml`, from: "http://inventory-service:8081", to: "http://inventory-service:8080", expect: "FERRY_INVENTORY_URL port 8080" },
  { what: "an environment variable the service does not read", file: `${S}/migration-worker.yaml`, from: "  FERRY_KAFKA_BOOTSTRAP:", to: "  FERRY_KAFKA_BOOTSTRAPS:", expect: "sets FERRY_KAFKA_BOOTSTRAPS, which migration-worker does not read" },
  { what: "a misspelt config-mapping variable (FERRY_WORKER_SHUTDOWN_GRAZE)", file: `${S}/migration-worker.yaml`, from: "FERRY_WORKER_SHUTDOWN_GRACE:", to: "FERRY_WORKER_SHUTDOWN_GRAZE:", expect: "sets FERRY_WORKER_SHUTDOWN_GRAZE, which migration-worker does not read" },
  { what: "a database name the Cluster does not create", file: `${S}/scheduler-service.yaml`, from: "FERRY_SCHEDULER_DB: ferry_scheduler", to: "FERRY_SCHEDULER_DB: ferry_schedule", expect: "FERRY_SCHEDULER_DB=ferry_schedule" },
  { what: "a probe on the API's port (health answers on the management port only)", file: `${S}/scheduler-service.yaml`, from: "path: /q/health/ready\n              port: management", to: "path: /q/health/ready\n              port: http", expect: "readinessProbe port http" },
  { what: "a probe on the wrong path", file: `${S}/inventory-service.yaml`, from: "path: /q/health/ready", to: "path: /health/ready", expect: "readinessProbe path /health/ready" },
  { what: "a worker autoscaler beyond the partitions", file: "deploy/overlays/production/kustomization.yaml", from: "path: /spec/maxReplicaCount\n        value: 12", to: "path: /spec/maxReplicaCount\n        value: 24", expect: "ScaledObject/migration-worker: maxReplicaCount 24 > 12 partitions of migration-commands" },
  { what: "a CPU autoscaler beyond the partitions (dev)", file: `${S}/migration-worker.yaml`, from: "  maxReplicas: 3\n", to: "  maxReplicas: 4\n", expect: "HorizontalPodAutoscaler/migration-worker: maxReplicas 4 > 3 partitions of migration-commands" },
  { what: "a KEDA trigger on a group the worker is not in", file: "deploy/components/keda-workers/scaledobject.yaml", from: "consumerGroup: migration-worker", to: "consumerGroup: migration-workers", expect: "its kafka trigger measures topic migration-commands in group migration-workers, which migration-worker does not consume" },
  { what: "both a CPU autoscaler and KEDA on the workers", file: "deploy/components/keda-workers/kustomization.yaml", from: "  - target: { kind: HorizontalPodAutoscaler, name: migration-worker }\n    patch: |-\n      $patch: delete\n      apiVersion: autoscaling/v2\n      kind: HorizontalPodAutoscaler\n      metadata:\n        name: migration-worker\n", to: "", expect: "both scale Deployment/migration-worker; keep one" },
  { what: "a ScaledObject with an unknown field", file: "deploy/components/keda-workers/scaledobject.yaml", from: "  cooldownPeriod: 300", to: "  coolDownPeriod: 300", expect: 'unknown field "coolDownPeriod"' },
  { what: "an alert with an invalid duration", file: "deploy/components/monitoring/prometheusrule.yaml", from: "for: 5m\n          labels: { severity: critical }\n          annotations:\n            summary: \"A migration", to: "for: five minutes\n          labels: { severity: critical }\n          annotations:\n            summary: \"A migration", expect: "/spec/groups/0/rules/0/for: must match pattern" },
  { what: "an alert on a metric the code does not register", file: "deploy/components/monitoring/prometheusrule.yaml", from: "max by (namespace) (ferry_discrepancies_open)", to: "max by (namespace) (ferry_discrepancy_open)", expect: "PrometheusRule/ferry FerryDiscrepancyOpen: ferry_discrepancy_open is not a metric Ferry registers" },
  { what: "a dashboard panel on a renamed metric", file: "deploy/components/monitoring/dashboards/ferry.json", from: "ferry_migration_takeovers_total", to: "ferry_takeovers_total", expect: 'panel "Takeovers (per hour)": ferry_takeovers_total is not a metric Ferry registers' },
  { what: "a timer's series without its unit", file: "deploy/components/monitoring/dashboards/ferry.json", from: "rate(ferry_migration_downtime_seconds_bucket[15m])))\",\n          \"legendFormat\": \"p50\"", to: "rate(ferry_migration_downtime_bucket[15m])))\",\n          \"legendFormat\": \"p50\"", expect: "ferry_migration_downtime_bucket is not a metric Ferry registers" },
  { what: "an autoscaler querying a metric the code does not export", file: "deploy/components/keda-workers/scaledobject.yaml", from: 'phase="SCHEDULED"})', to: 'phase="SCHEDULED"}) + max(ferry_migrations_running)', expect: "ScaledObject/migration-worker prometheus trigger: ferry_migrations_running is not a metric Ferry registers" },
  { what: "a Service's management port that is not the service's", file: `${S}/scheduler-service.yaml`, from: "    - name: management\n      port: 9082", to: "    - name: management\n      port: 9092", expect: "Service/scheduler-service: port management 9092" },
  { what: "an image name that differs between compose and the manifests", file: "docker-compose.yml", from: "image: ferry/migration-worker:0.1.0", to: "image: ferry/migration-worker:0.2.0", expect: "differs from docker-compose.yml's ferry/migration-worker:0.2.0" },
  { what: "a compose build of a Ferry image", file: "docker-compose.yml", from: "    image: ferry/scheduler-service:0.1.0\n", to: "    image: ferry/scheduler-service:0.1.0\n    build: ./scheduler-service\n", expect: "scheduler-service: has build:, but Ferry's images are built by Jib" },
  { what: "a compose port that differs from the service's", file: "docker-compose.yml", from: '"127.0.0.1:8082:8082"', to: '"127.0.0.1:8082:8080"', expect: "publishes container port 8080, but scheduler-service listens on 8082" },
  // Kafka and PostgreSQL outside the cluster (overlays/external)
  { what: "an external Kafka bootstrap without a port", file: `${X}/kustomization.yaml`, from: "kafka-3.example.com:9093", to: "kafka-3.example.com", expect: "with Kafka outside the cluster, list its brokers as host:port" },
  { what: "an external Kafka whose port no NetworkPolicy opens", file: `${X}/egress.yaml`, from: "{ protocol: TCP, port: 9093 }", to: "{ protocol: TCP, port: 9092 }", expect: "no NetworkPolicy lets its pods reach Kafka (FERRY_KAFKA_BOOTSTRAP) on port 9093" },
  { what: "an external PostgreSQL on a port no NetworkPolicy opens", file: `${X}/kustomization.yaml`, from: 'path: /data/FERRY_DB_PORT\n        value: "5432"', to: 'path: /data/FERRY_DB_PORT\n        value: "6432"', expect: "reach PostgreSQL (FERRY_DB_PORT) on port 6432" },
  { what: "DNS egress limited to kube-dns pods on 53 (breaks NodeLocal DNSCache and OpenShift)", file: `${S}/networkpolicies.yaml`, from: "    - ports:\n        - { protocol: UDP, port: 53 }", to: "    - to:\n        - podSelector: { matchLabels: { k8s-app: kube-dns } }\n      ports:\n        - { protocol: UDP, port: 53 }", expect: "DNS egress" },
  { what: "a topic added to Topics.java but deployed nowhere", file: TOPICS_JAVA, from: "private Topics()", to: 'public static final String AUDIT = "audit-events";\n    private Topics()', expect: "topic audit-events is in Topics.java but has no KafkaTopic" },
];

/** The files validateAll reads, copied into a fresh temporary tree. */
function copyTree(repoRoot) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-deploy-selftest-"));
  const copy = (rel) => fs.cpSync(path.join(repoRoot, rel), path.join(tmp, rel), { recursive: true });
  for (const d of ["deploy/base", "deploy/components", "deploy/overlays", "deploy/compose", "docker-compose.yml", TOPICS_JAVA]) copy(d);
  for (const m of SERVICES) for (const f of ["pom.xml", "src/main/java", "src/main/resources/application.properties"]) copy(`${m}/${f}`);
  for (const m of LIBRARY_MODULES) for (const f of ["pom.xml", "src/main/java"]) copy(`${m}/${f}`);
  return tmp;
}

function run(ctx, tmp) {
  return validateAll({ ...ctx, repoRoot: tmp, deployDir: path.join(tmp, "deploy"), composeFile: path.join(tmp, "docker-compose.yml") })
    .flatMap(([, errors]) => errors);
}

export function selfTest(ctx) {
  const results = [];
  // The untouched copy must pass, or every case below would pass for the wrong reason.
  {
    const tmp = copyTree(ctx.repoRoot);
    const errors = run(ctx, tmp);
    fs.rmSync(tmp, { recursive: true, force: true });
    results.push(["the unchanged copy passes (baseline for the cases below)", errors]);
  }
  for (const c of CASES) {
    const tmp = copyTree(ctx.repoRoot);
    const errors = [];
    let note = "";
    try {
      const file = path.join(tmp, c.file);
      const text = fs.readFileSync(file, "utf8");
      if (!text.includes(c.from)) throw new Error(`self-test is stale: ${c.file} no longer contains ${JSON.stringify(c.from)}`);
      fs.writeFileSync(file, text.replace(c.from, c.to));
      const reported = run(ctx, tmp);
      if (!reported.some((e) => e.includes(c.expect))) {
        errors.push(`not rejected as expected: wanted an error containing ${JSON.stringify(c.expect)}; got ${reported.length ? reported.slice(0, 3).join(" || ") : "no error"}`);
      } else {
        note = reported.find((e) => e.includes(c.expect));
      }
    } catch (e) {
      errors.push(e.message);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    results.push([`rejects ${c.what}`, errors, note]);
  }
  return results;
}
