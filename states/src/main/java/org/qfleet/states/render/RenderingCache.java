package org.qfleet.states.render;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Renderings shared between the hosts of one run. A rendering is stored with the inputs it
 * read ({@link RenderInputs}); a later host whose values for those inputs are equal, host
 * calls included, gets a copy of the stored result instead of a new rendering. A formula that
 * reads {@code grains['id']} therefore renders once per host, and one that reads only facts
 * the hosts share renders once for the fleet.
 *
 * <p>Safe for concurrent use by the threads of a fleet run. While the first rendering of a
 * template is under way, other hosts wait for it (at most {@link #FIRST_RENDERING_WAIT_SECONDS})
 * so that a fleet of equal hosts renders once; after that, hosts that match no stored
 * rendering render in parallel. Failed renderings are not stored, so each host reports its
 * own error. Results of time-dependent filters such as {@code strftime} without a date are
 * shared like any other result.
 */
public final class RenderingCache {

    /**
     * The maximum time a host waits for the first rendering of a template by another host
     * before it renders itself; waiting longer could only save one rendering.
     */
    static final long FIRST_RENDERING_WAIT_SECONDS = 30;

    /** A template rendered for a saltenv: what must be equal before inputs are compared. */
    record Key(String kind, String roots, String file, String sls, String saltenv) {}

    /** A way to render a template for a host, with a recorder for what it reads and the host to ask. */
    interface Rendering {
        Map<String, Object> render(RenderInputs.Recorder recorder, HostQueries host) throws RenderException;
    }

    private record Entry(RenderInputs inputs, Map<String, Object> result) {}

    /** The stored renderings of one key, indexed by what they read and then by the values read. */
    private static final class Slot {
        final AtomicBoolean firstStarted = new AtomicBoolean();
        final CountDownLatch firstFinished = new CountDownLatch(1);
        final Map<RenderInputs.ReadSet, Map<List<Object>, List<Entry>>> entries = new LinkedHashMap<>();
    }

    private final Map<Key, Slot> slots = new ConcurrentHashMap<>();
    private final AtomicInteger renderings = new AtomicInteger();
    private final AtomicInteger reuses = new AtomicInteger();

    /** Returns how many templates were rendered through this cache, failed renderings included. */
    public int renderings() {
        return renderings.get();
    }

    /** Returns how many times a stored rendering was handed to a host instead of rendering. */
    public int reuses() {
        return reuses.get();
    }

    /**
     * Returns a copy of a stored rendering whose inputs the host matches, or renders and
     * stores a new one.
     *
     * @param sources the host's {@code grains}, {@code pillar} and {@code opts} as the template would see them
     */
    Map<String, Object> render(Key key, Map<String, Map<String, Object>> sources, HostQueries host,
            Rendering rendering) throws RenderException {
        Slot slot = slots.computeIfAbsent(key, ignored -> new Slot());
        HostQueries askOnce = new AnswersOnce(host);
        if (slot.firstStarted.compareAndSet(false, true)) {
            try {
                return renderAndStore(slot, rendering, sources, askOnce);
            } finally {
                slot.firstFinished.countDown();
            }
        }
        awaitFirst(slot);
        Map<String, Object> stored = lookup(slot, sources, askOnce);
        if (stored != null) {
            reuses.incrementAndGet();
            return copy(stored);
        }
        return renderAndStore(slot, rendering, sources, askOnce);
    }

    private static void awaitFirst(Slot slot) {
        try {
            slot.firstFinished.await(FIRST_RENDERING_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Map<String, Object> renderAndStore(Slot slot, Rendering rendering, Map<String, Map<String, Object>> sources,
            HostQueries host) throws RenderException {
        renderings.incrementAndGet();
        RenderInputs.Recorder recorder = new RenderInputs.Recorder();
        Map<String, Object> result = rendering.render(recorder, host);
        RenderInputs inputs = recorder.inputs(sources);
        Entry entry = new Entry(inputs, copy(result));
        synchronized (slot) {
            slot.entries.computeIfAbsent(inputs.readSet(), ignored -> new HashMap<>())
                    .computeIfAbsent(inputs.values(), ignored -> new ArrayList<>())
                    .add(entry);
        }
        return result;
    }

    /** Returns the result of a stored rendering whose inputs the host's values equal, or null. */
    private static Map<String, Object> lookup(Slot slot, Map<String, Map<String, Object>> sources, HostQueries host) {
        List<Entry> candidates = new ArrayList<>();
        synchronized (slot) {
            for (Map.Entry<RenderInputs.ReadSet, Map<List<Object>, List<Entry>>> byReadSet : slot.entries.entrySet()) {
                List<Object> values = RenderInputs.valuesOf(byReadSet.getKey(), sources);
                List<Entry> sameValues = byReadSet.getValue().get(values);
                if (sameValues == null) {
                    continue;
                }
                for (Entry entry : sameValues) {
                    if (RenderInputs.orderedEquals(entry.inputs().values(), values)) {
                        candidates.add(entry);
                    }
                }
            }
        }
        // Host calls run outside the lock, because a shell command may take a while.
        for (Entry entry : candidates) {
            if (sameHostAnswers(entry.inputs().hostCalls(), host)) {
                return entry.result();
            }
        }
        return null;
    }

    /**
     * Asks the host the recorded calls in their order and returns whether every answer is
     * the same. An earlier answer may decide a later call's argument, so the check stops at
     * the first difference.
     */
    private static boolean sameHostAnswers(List<RenderInputs.HostCall> calls, HostQueries host) {
        for (RenderInputs.HostCall call : calls) {
            Object answer;
            try {
                answer = switch (call.function()) {
                    case "shell" -> host.shell(call.argument());
                    case "qubeExists" -> host.qubeExists(call.argument());
                    default -> throw new IllegalStateException("unknown host call " + call.function());
                };
            } catch (RenderException e) {
                // The host's own rendering will run the command again and report the failure.
                return false;
            }
            if (!RenderInputs.orderedEquals(call.answer(), answer)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A host that answers each distinct call once per {@link #render} call, so that comparing
     * a host call with a stored rendering and then rendering does not ask the host twice.
     */
    private static final class AnswersOnce implements HostQueries {
        private final HostQueries host;
        private final Map<String, Boolean> qubes = new HashMap<>();
        private final Map<String, String> shell = new HashMap<>();

        AnswersOnce(HostQueries host) {
            this.host = host;
        }

        @Override
        public boolean qubeExists(String name) {
            return qubes.computeIfAbsent(name, host::qubeExists);
        }

        @Override
        public String shell(String command) throws RenderException {
            String output = shell.get(command);
            if (output == null) {
                output = host.shell(command);
                shell.put(command, output);
            }
            return output;
        }
    }

    /** Returns a deep copy of a rendering, which keeps the declaration lines of an SLS file. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> copy(Map<String, Object> result) {
        Map<String, Object> copy = (Map<String, Object>) SaltJinja.deepCopy(result);
        return result instanceof RenderedSls sls ? new RenderedSls(copy, sls.lines()) : copy;
    }
}
