package io.torchstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;

import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.FlinkSessionJob;
import org.apache.flink.kubernetes.operator.api.spec.FlinkVersion;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * deploy/kubernetes, read with the Flink Kubernetes Operator's own API classes, unknown fields refused, so that a
 * misspelt key fails here rather than in a cluster. The operator release that knows Flink 2.2 (v2_2) is newer
 * than the API the build's repository serves (1.10), so flinkVersion is checked as text and bound as the newest
 * version that API knows.
 */
class KubernetesManifestsTest {

    private static final Path DIR = Path.of("deploy/kubernetes");
    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    @Test
    void theApplicationDeploymentRunsTheJobFromTheImageWithHaAndSavepointUpgrades() throws IOException {
        List<JsonNode> docs = documents(DIR.resolve("flinkdeployment.yaml"));
        assertThat(docs).hasSize(1);
        FlinkDeployment d = deployment(docs.get(0));
        assertThat(d.getSpec().getImage()).isEqualTo("torchstream:0.1.0");
        assertThat(d.getSpec().getFlinkConfiguration())
                .containsEntry("high-availability.type", "kubernetes")
                .containsKeys(
                        "high-availability.storageDir",
                        "execution.checkpointing.dir",
                        "execution.checkpointing.savepoint-dir");
        assertThat(d.getSpec().getJob().getUpgradeMode()).isEqualTo(UpgradeMode.SAVEPOINT);
        assertThat(d.getSpec().getJob().getJarURI()).isEqualTo("local:///opt/torchstream/torchstream-job.jar");
        assertThat(d.getSpec().getJob().getArgs()).contains("/opt/torchstream/jobs/classify.yaml");
        imagePaths(d.getSpec().getJob().getArgs());
        assertThat(d.getSpec().getPodTemplate().getSpec().getVolumes())
                .extracting(v -> v.getPersistentVolumeClaim().getClaimName())
                .contains(claim());
    }

    @Test
    void theSessionJobRunsOnTheSessionDeploymentBesideIt() throws IOException {
        List<JsonNode> docs = documents(DIR.resolve("flinksessionjob.yaml"));
        assertThat(docs).hasSize(2);
        FlinkDeployment session = deployment(docs.get(0));
        assertThat(session.getSpec().getJob())
                .as("a session cluster runs no job of its own")
                .isNull();
        FlinkSessionJob job =
                kept(docs.get(1), known(YAML.treeToValue(docs.get(1), FlinkSessionJob.class), "FlinkSessionJob"));
        assertThat(job.getSpec().getDeploymentName())
                .isEqualTo(session.getMetadata().getName());
        assertThat(job.getSpec().getJob().getUpgradeMode()).isEqualTo(UpgradeMode.SAVEPOINT);
        imagePaths(job.getSpec().getJob().getArgs());
    }

    @Test
    void aMisspeltKeyFails() throws IOException {
        ObjectNode doc =
                (ObjectNode) documents(DIR.resolve("flinkdeployment.yaml")).get(0);
        ((ObjectNode) doc.get("spec").get("job")).put("upgradeMod", "savepoint");
        assertThatThrownBy(() -> deployment(doc)).hasMessageContaining("upgradeMod");
        ObjectNode pod =
                (ObjectNode) documents(DIR.resolve("flinkdeployment.yaml")).get(0);
        ((ObjectNode) pod.get("spec").get("podTemplate").get("spec")).put("volumez", "x");
        assertThatThrownBy(() -> deployment(pod)).hasMessageContaining("volumez");
    }

    /** The job files the manifests name are the repository's, at the image's path. */
    private static void imagePaths(String[] args) {
        for (String arg : args) {
            if (arg.startsWith("/opt/torchstream/")) {
                assertThat(Path.of(arg.substring("/opt/torchstream/".length()))).exists();
            }
        }
    }

    private static String claim() throws IOException {
        PersistentVolumeClaim pvc =
                YAML.treeToValue(documents(DIR.resolve("volume.yaml")).get(0), PersistentVolumeClaim.class);
        assertThat(pvc.getSpec().getAccessModes()).containsExactly("ReadWriteMany");
        return pvc.getMetadata().getName();
    }

    private static FlinkDeployment deployment(JsonNode doc) throws IOException {
        ObjectNode copy = doc.deepCopy();
        ObjectNode spec = (ObjectNode) copy.get("spec");
        assertThat(spec.get("flinkVersion").asText()).isEqualTo("v2_2");
        FlinkVersion[] known = FlinkVersion.values();
        spec.put("flinkVersion", known[known.length - 1].name());
        return kept(copy, known(YAML.treeToValue(copy, FlinkDeployment.class), "FlinkDeployment"));
    }

    /**
     * The operator's own classes ignore fields they do not know: every field of the manifest must come back
     * when the bound resource is written out again, or it was not a field of the resource.
     */
    static <T> T kept(JsonNode written, T bound) {
        List<String> lost = new ArrayList<>();
        compare(written, YAML.valueToTree(bound), "", lost);
        if (!lost.isEmpty()) {
            throw new IllegalArgumentException("fields the resource does not have: " + lost);
        }
        return bound;
    }

    private static void compare(JsonNode written, JsonNode read, String path, List<String> lost) {
        if (written.isObject()) {
            written.fields().forEachRemaining(e -> {
                JsonNode back = read == null ? null : read.get(e.getKey());
                if (back == null || back.isNull()) {
                    if (!e.getValue().isNull()) {
                        lost.add(path + "." + e.getKey());
                    }
                } else {
                    compare(e.getValue(), back, path + "." + e.getKey(), lost);
                }
            });
        } else if (written.isArray()) {
            for (int i = 0; i < written.size(); i++) {
                compare(written.get(i), read == null ? null : read.get(i), path + "[" + i + "]", lost);
            }
        }
    }

    /**
     * The Kubernetes model classes keep fields they do not know in an additionalProperties map instead of
     * refusing them: every such map must be empty, or a key was misspelt.
     */
    static <T> T known(T resource, String where) {
        List<String> unknown = new ArrayList<>();
        walk(resource, where, unknown, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown fields: " + unknown);
        }
        return resource;
    }

    private static void walk(Object value, String path, List<String> unknown, java.util.Set<Object> seen) {
        if (value == null || !seen.add(value)) {
            return;
        }
        if (value instanceof java.util.Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, unknown, seen));
            return;
        }
        if (value instanceof Iterable<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        String pkg = value.getClass().getPackageName();
        if (!pkg.startsWith("io.fabric8") && !pkg.startsWith("org.apache.flink.kubernetes")) {
            return;
        }
        for (java.lang.reflect.Method m : value.getClass().getMethods()) {
            boolean getter = m.getParameterCount() == 0
                    && !m.getName().equals("getClass")
                    && (m.getName().startsWith("get") || m.getName().startsWith("is"))
                    && !java.lang.reflect.Modifier.isStatic(m.getModifiers());
            if (!getter) {
                continue;
            }
            Object child;
            try {
                child = m.invoke(value);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties") && child instanceof java.util.Map<?, ?> extra) {
                extra.keySet().forEach(k -> unknown.add(path + "." + k));
            } else {
                walk(child, path + "." + m.getName().replaceFirst("^(get|is)", ""), unknown, seen);
            }
        }
    }

    private static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(Files.readString(file))) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                docs.add(it.next());
            }
        }
        return docs;
    }
}
