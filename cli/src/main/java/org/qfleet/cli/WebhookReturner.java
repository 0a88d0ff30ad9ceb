package org.qfleet.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook returner: posts each event (a host's result, the run's summary) as a JSON body to
 * every configured URL, from one background thread, so a slow or failing endpoint delays the
 * run by at most the close bound.
 *
 * <p>Events wait in a bounded queue; when it is full, new events are dropped and counted. A
 * post that fails with a connection error, a timeout, 408, 429 or a 5xx status is retried with
 * exponential backoff; other statuses are not retried. {@link #close()} waits for the queue
 * to drain for at most the close bound, then abandons what is left. Failures are logged with
 * the URL's scheme, host, port and path only, because its user info and query may hold a token.
 */
final class WebhookReturner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookReturner.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Object STOP = new Object();
    /** How long close() waits for the interrupted worker to count the event it was posting. */
    private static final long WORKER_STOP_MILLIS = 1000;

    /**
     * Limits of the returner.
     *
     * @param queueCapacity  events kept waiting before new ones are dropped
     * @param maxAttempts    posts of one event to one URL, the first included
     * @param firstBackoff   wait after the first failed attempt; it doubles after each further one
     * @param requestTimeout time for one post, connecting included
     * @param closeBound     the most that {@link #close()} waits for the queue to drain
     */
    record Settings(int queueCapacity, int maxAttempts, Duration firstBackoff, Duration requestTimeout,
            Duration closeBound) {

        static Settings defaults(Duration closeBound) {
            return new Settings(1000, 4, Duration.ofMillis(250), Duration.ofSeconds(5), closeBound);
        }
    }

    private final List<URI> urls;
    private final Settings settings;
    private final HttpClient client;
    private final BlockingQueue<Object> queue;
    private final Thread worker;
    private final AtomicInteger delivered = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private volatile long deadlineNanos = Long.MAX_VALUE;

    WebhookReturner(List<URI> urls, Settings settings) {
        this.urls = List.copyOf(urls);
        this.settings = settings;
        this.client = HttpClient.newBuilder().connectTimeout(settings.requestTimeout()).build();
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity() + 1);
        this.worker = new Thread(this::deliverAll, "qfleet-webhook");
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /** A queued event: its JSON body and the words that name it in log lines, such as "the result of host lab-01". */
    private record Event(byte[] body, String description) {
    }

    /** Queues an event without blocking; drops it with a log line when the queue is full. */
    void send(Map<String, Object> event) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(event);
        } catch (JsonProcessingException ex) {
            LOG.error("webhook event of type {} could not be written as JSON: {}", event.get("type"), ex.getMessage());
            return;
        }
        if (queue.size() >= settings.queueCapacity() || !queue.offer(new Event(body, describe(event)))) {
            int count = dropped.incrementAndGet();
            if (count == 1 || count % 100 == 0) {
                LOG.warn("webhook queue full ({} events): dropped {} events so far", settings.queueCapacity(), count);
            }
        }
    }

    /** Events posted to every URL. */
    int delivered() {
        return delivered.get();
    }

    /** Posts given up after the last attempt or abandoned at close. */
    int failed() {
        return failed.get();
    }

    /** Events dropped because the queue was full. */
    int dropped() {
        return dropped.get();
    }

    /** Waits for the queued events for at most the close bound, then stops the worker. */
    @Override
    public void close() {
        deadlineNanos = System.nanoTime() + settings.closeBound().toNanos();
        queue.offer(STOP);
        try {
            worker.join(Math.max(1, settings.closeBound().toMillis()));
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) {
            List<Object> left = new ArrayList<>();
            queue.drainTo(left);
            int abandoned = (int) left.stream().filter(item -> item != STOP).count();
            failed.addAndGet(abandoned);
            worker.interrupt();
            try {
                worker.join(WORKER_STOP_MILLIS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("webhook returner stopped after {} ms with {} events not delivered",
                    settings.closeBound().toMillis(), abandoned);
        }
    }

    private void deliverAll() {
        while (true) {
            Object item;
            try {
                item = queue.take();
            } catch (InterruptedException ex) {
                return;
            }
            if (item == STOP) {
                return;
            }
            try {
                boolean allDelivered = true;
                for (URI url : urls) {
                    allDelivered &= post(url, (Event) item);
                }
                if (allDelivered) {
                    delivered.incrementAndGet();
                }
            } catch (InterruptedException ex) {
                // close() gave up waiting: the event being posted is abandoned too.
                failed.incrementAndGet();
                return;
            }
        }
    }

    /**
     * Returns the words that name an event in log lines, with its job ID and the command that prints the result
     * from the job cache, so that a failed post names the result the endpoint lacks and where it is kept.
     */
    static String describe(Map<String, Object> event) {
        Object host = event.get("host");
        String subject = host != null ? "the result of host " + host
                : "summary".equals(event.get("type")) ? "the run summary" : "a " + event.get("type") + " event";
        Object jid = event.get("jid");
        if (jid == null) {
            return subject;
        }
        return subject + " of job " + jid + " (qfleet jobs show " + jid + " prints it)";
    }

    /** Posts one event to one URL with retries; returns whether it was accepted. */
    private boolean post(URI url, Event event) throws InterruptedException {
        byte[] body = event.body();
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(settings.requestTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        long backoffMillis = settings.firstBackoff().toMillis();
        String problem = "";
        int attempts = 0;
        for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
            attempts = attempt;
            try {
                HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    return true;
                }
                problem = "HTTP status " + status;
                if (!(status == 408 || status == 429 || status >= 500)) {
                    break;
                }
            } catch (IOException ex) {
                problem = ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage());
            }
            if (attempt == settings.maxAttempts()) {
                break;
            }
            long remaining = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
            if (remaining <= backoffMillis) {
                LOG.warn("webhook post to {} failed ({}) and the returner time limit (--return-timeout) leaves no"
                        + " time to retry; {} was not delivered", redact(url), problem, event.description());
                failed.incrementAndGet();
                return false;
            }
            LOG.warn("webhook post to {} failed ({}), attempt {} of {}; retrying in {} ms", redact(url), problem,
                    attempt, settings.maxAttempts(), backoffMillis);
            Thread.sleep(backoffMillis);
            backoffMillis *= 2;
        }
        LOG.warn("webhook post to {} failed ({}) after {} {}; {} was not delivered", redact(url), problem,
                attempts, attempts == 1 ? "attempt" : "attempts", event.description());
        failed.incrementAndGet();
        return false;
    }

    /** Returns the URL without user info, query or fragment, which may hold secrets. */
    static String redact(URI url) {
        String port = url.getPort() >= 0 ? ":" + url.getPort() : "";
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        return url.getScheme() + "://" + url.getHost() + port + path;
    }
}
