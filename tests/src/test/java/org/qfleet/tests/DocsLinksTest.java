package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks that every relative link in README.md and docs/*.md points to a file that exists and,
 * when it names an anchor, to a heading of that file, with anchors made as GitHub makes them.
 */
class DocsLinksTest {

    /** An inline Markdown link or image: {@code [text](target)}, the target without spaces. */
    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+?)\\s*#*\\s*$");
    private static final Pattern INLINE_CODE = Pattern.compile("`[^`]*`");

    @Test
    void docsLinksResolve() throws IOException {
        Path root = QfleetProcess.repositoryRoot();
        List<Path> pages = new ArrayList<>();
        pages.add(root.resolve("README.md"));
        try (Stream<Path> files = Files.list(root.resolve("docs"))) {
            files.filter(file -> file.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            broken.addAll(brokenLinks(page));
        }
        assertEquals(List.of(), broken, "broken links in the docs");
    }

    @Test
    void readmeLinksEveryDocsPage() throws IOException {
        Path root = QfleetProcess.repositoryRoot();
        String readme = Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8);
        for (String page : List.of("getting-started.md", "roster.md", "configuration.md", "targeting.md",
                "outputs.md", "state-functions.md", "migrating.md", "ci.md", "troubleshooting.md")) {
            assertTrue(readme.contains("(docs/" + page + ")"), "README.md does not link docs/" + page);
        }
    }

    @Test
    void missingFileAndAnchorAreReported(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a.md"), """
                # Page A

                ## Exit codes and `--out`

                [ok](b.md#second-part) [self](#exit-codes-and---out) [gone](c.md)
                [bad anchor](b.md#nothing) [web](https://example.org/x.md)

                ```sh
                [inside code](nowhere.md)
                ```
                """);
        Files.writeString(dir.resolve("b.md"), "# B\n\n## Second part\n");

        assertEquals(List.of(
                        dir.resolve("a.md") + ": link c.md: file not found",
                        dir.resolve("a.md") + ": link b.md#nothing: no heading with anchor 'nothing'"),
                brokenLinks(dir.resolve("a.md")));
    }

    @Test
    void anchorFollowsGithubRules() {
        assertEquals("qvmtemplate_installed", anchor("qvm.template_installed"));
        assertEquals("exit-codes-and---out", anchor("Exit codes and `--out`"));
        assertEquals("from-qubesctl", anchor("From qubesctl"));
    }

    /** Returns one line per broken relative link of a Markdown file. */
    private static List<String> brokenLinks(Path page) throws IOException {
        List<String> broken = new ArrayList<>();
        Map<Path, Set<String>> anchorsByFile = new HashMap<>();
        for (String line : prose(page)) {
            Matcher link = LINK.matcher(INLINE_CODE.matcher(line).replaceAll(""));
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                    continue;
                }
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path linked = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                if (!Files.exists(linked)) {
                    broken.add(page + ": link " + target + ": file not found");
                    continue;
                }
                if (hash >= 0) {
                    String anchor = target.substring(hash + 1);
                    Set<String> anchors = anchorsByFile.computeIfAbsent(linked, DocsLinksTest::anchorsOf);
                    if (!anchors.contains(anchor)) {
                        broken.add(page + ": link " + target + ": no heading with anchor '" + anchor + "'");
                    }
                }
            }
        }
        return broken;
    }

    /** Returns the lines of a Markdown file outside fenced code blocks. */
    private static List<String> prose(Path page) throws IOException {
        List<String> lines = new ArrayList<>();
        boolean inFence = false;
        for (String line : Files.readAllLines(page, StandardCharsets.UTF_8)) {
            if (line.stripLeading().startsWith("```")) {
                inFence = !inFence;
                continue;
            }
            if (!inFence) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** Returns the anchors of a Markdown file's headings, numbering repeats as GitHub does. */
    private static Set<String> anchorsOf(Path page) {
        Set<String> anchors = new LinkedHashSet<>();
        try {
            for (String line : prose(page)) {
                Matcher heading = HEADING.matcher(line);
                if (!heading.matches()) {
                    continue;
                }
                String anchor = anchor(heading.group(1));
                String unique = anchor;
                for (int repeat = 1; anchors.contains(unique); repeat++) {
                    unique = anchor + "-" + repeat;
                }
                anchors.add(unique);
            }
        } catch (IOException e) {
            throw new IllegalStateException("failed to read " + page + ": " + e.getMessage(), e);
        }
        return anchors;
    }

    /**
     * Returns GitHub's anchor for a heading: lower case, every character other than a letter, a
     * digit, a space, '-' or '_' removed, and spaces turned into '-'.
     */
    private static String anchor(String heading) {
        return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }
}
