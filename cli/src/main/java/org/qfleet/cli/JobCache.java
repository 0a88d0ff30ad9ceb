package org.qfleet.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The record of every run, one folder per job:
 *
 * <pre>
 * DIR/JID/job.json            jid, command, function, target, targets, started; and when the
 *                             run ends: finished, exit_code, interrupted
 * DIR/JID/hosts/HOST.json     one host's result, written as soon as the host finishes
 * </pre>
 *
 * <p>A job ID is the start time in UTC as {@code yyyyMMddHHmmssSSSSSS}, Salt's JID layout, so
 * job IDs sort by start time. Each file is written to a temporary name and renamed, so a
 * reader never sees half a file, and an interrupted run keeps every host that finished.
 */
final class JobCache {

    /** The environment variable that sets the jobs folder when {@code --jobs-dir} is not given. */
    static final String DIR_VARIABLE = "QFLEET_JOBS_DIR";
    /** How many jobs are kept when {@code --keep-jobs} is not given; older ones are deleted. */
    static final int DEFAULT_KEEP = 200;

    private static final DateTimeFormatter JID_FORMAT = DateTimeFormatter.ofPattern("yyyyMMddHHmmssSSSSSS")
            .withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int MAX_JID_ATTEMPTS = 1000;

    private final Path dir;

    JobCache(Path dir) {
        this.dir = dir;
    }

    /** Returns the jobs folder: {@code explicit} if set, else {@code $QFLEET_JOBS_DIR}, else {@code ~/.cache/qfleet/jobs}. */
    static Path defaultDir(Path explicit) {
        if (explicit != null) {
            return explicit;
        }
        String variable = System.getenv(DIR_VARIABLE);
        if (variable != null && !variable.isBlank()) {
            return Path.of(variable);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "qfleet", "jobs");
    }

    Path dir() {
        return dir;
    }

    /** Creates the folder of a new job and writes its {@code job.json}. */
    Job create(List<String> command, String function, String target, List<String> targets) throws IOException {
        Files.createDirectories(dir);
        Instant now = Instant.now();
        for (int attempt = 0; attempt < MAX_JID_ATTEMPTS; attempt++) {
            String jid = JID_FORMAT.format(now.plusNanos(attempt * 1000L));
            Path jobDir = dir.resolve(jid);
            try {
                Files.createDirectory(jobDir);
            } catch (FileAlreadyExistsException ex) {
                continue;
            }
            Files.createDirectory(jobDir.resolve("hosts"));
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("jid", jid);
            info.put("command", command);
            info.put("function", function);
            info.put("target", target);
            info.put("targets", targets);
            info.put("started", now.toString());
            Job job = new Job(jid, jobDir, info);
            job.writeInfo();
            return job;
        }
        throw new IOException("no free job ID in " + dir + " after " + MAX_JID_ATTEMPTS + " attempts");
    }

    /** Returns the job IDs in this folder, oldest first. */
    List<String> jobIds() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (Files.isRegularFile(entry.resolve("job.json"))) {
                    ids.add(entry.getFileName().toString());
                }
            }
        }
        ids.sort(Comparator.naturalOrder());
        return ids;
    }

    /** Reads a job; throws IOException naming the folder when the job does not exist or is unreadable. */
    StoredJob load(String jid) throws IOException {
        Path jobDir = dir.resolve(jid);
        Path infoFile = jobDir.resolve("job.json");
        if (!jid.matches("[0-9]+") || !Files.isRegularFile(infoFile)) {
            throw new IOException("job " + jid + " not found in " + dir + "; 'qfleet jobs list' shows the jobs there");
        }
        Map<String, Object> info = readMap(infoFile);
        List<HostReport> hosts = new ArrayList<>();
        try (Stream<Path> files = Files.list(jobDir.resolve("hosts"))) {
            for (Path file : files.filter(path -> path.toString().endsWith(".json")).sorted().toList()) {
                try {
                    hosts.add(HostReport.fromMap(readMap(file)));
                } catch (IllegalArgumentException ex) {
                    throw new IOException(file + ": " + ex.getMessage(), ex);
                }
            }
        }
        return new StoredJob(info, hosts);
    }

    /**
     * Returns, for each host that a cached job recorded grains for, the grains of its newest
     * such job. Unreadable host files are skipped, because a stale cache must not stop a run.
     */
    Map<String, Map<String, Object>> latestGrains() throws IOException {
        Map<String, Map<String, Object>> grains = new LinkedHashMap<>();
        List<String> ids = new ArrayList<>(jobIds());
        java.util.Collections.reverse(ids);
        for (String jid : ids) {
            Path hostsDir = dir.resolve(jid).resolve("hosts");
            if (!Files.isDirectory(hostsDir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(hostsDir)) {
                for (Path file : files.filter(path -> path.toString().endsWith(".json")).toList()) {
                    readGrains(file, grains);
                }
            }
        }
        return grains;
    }

    @SuppressWarnings("unchecked")
    private static void readGrains(Path file, Map<String, Map<String, Object>> grains) {
        try {
            Map<String, Object> host = readMap(file);
            if (host.get("id") instanceof String id && !grains.containsKey(id)
                    && host.get("detail") instanceof Map<?, ?> detail
                    && detail.get("grains") instanceof Map<?, ?> hostGrains) {
                grains.put(id, (Map<String, Object>) hostGrains);
            }
        } catch (IOException | RuntimeException ex) {
            // A damaged or foreign file in the cache is skipped; the run goes on without its grains.
        }
    }

    /** Deletes the oldest jobs so that at most {@code keep} remain, and returns how many it deleted. */
    int prune(int keep) throws IOException {
        List<String> ids = jobIds();
        int deleted = 0;
        for (int i = 0; i < ids.size() - keep; i++) {
            deleteTree(dir.resolve(ids.get(i)));
            deleted++;
        }
        return deleted;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static Map<String, Object> readMap(Path file) throws IOException {
        try {
            return JSON.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (JsonProcessingException ex) {
            // Jackson's own message ends in a source description that names no file, so the
            // file, line and column are given here instead.
            JsonLocation location = ex.getLocation();
            String where = location == null ? ""
                    : "line " + location.getLineNr() + ", column " + location.getColumnNr() + ": ";
            String problem = ex instanceof MismatchedInputException ? "expected a JSON object" : ex.getOriginalMessage();
            throw new IOException(file + " is not a valid job file: " + where + problem, ex);
        } catch (IOException ex) {
            throw new IOException(file + " is not a valid job file: " + ex.getMessage(), ex);
        }
    }

    private static void writeAtomically(Path file, Object value) throws IOException {
        Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        JSON.writeValue(temporary.toFile(), value);
        try {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException ex) {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A job read back from the cache: its {@code job.json} fields and its hosts' results in host ID order. */
    record StoredJob(Map<String, Object> info, List<HostReport> hosts) {

        String jid() {
            return String.valueOf(info.get("jid"));
        }
    }

    /** A job being recorded. Its methods are safe to call from several threads. */
    static final class Job {

        private final String jid;
        private final Path jobDir;
        private final Map<String, Object> info;

        private Job(String jid, Path jobDir, Map<String, Object> info) {
            this.jid = jid;
            this.jobDir = jobDir;
            this.info = info;
        }

        String jid() {
            return jid;
        }

        /** Writes one host's result. */
        void record(HostReport report) throws IOException {
            String name = URLEncoder.encode(report.id, StandardCharsets.UTF_8) + ".json";
            writeAtomically(jobDir.resolve("hosts").resolve(name), report.toMap());
        }

        /** Adds the end of the run to {@code job.json}. */
        synchronized void finish(int exitCode, boolean interrupted) throws IOException {
            info.put("finished", Instant.now().toString());
            info.put("exit_code", exitCode);
            info.put("interrupted", interrupted);
            writeInfo();
        }

        private synchronized void writeInfo() throws IOException {
            writeAtomically(jobDir.resolve("job.json"), info);
        }
    }
}
