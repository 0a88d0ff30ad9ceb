package org.qfleet.states.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.states.SourceLine;
import org.qfleet.states.StateException;

/** Messages for an SLS that is not in the file roots: roots, files tried, origin and suggestion. */
class MissingSlsMessageTest {

    @TempDir
    Path root;

    /** Returns a source over {@link #root} that reports it as its file root. */
    private SlsSource source() {
        YamlSlsSource files = YamlSlsSource.directory(root);
        return new SlsSource() {
            @Override
            public Map<String, Object> render(String sls) throws StateException {
                return files.render(sls);
            }

            @Override
            public boolean exists(String sls) {
                return files.exists(sls);
            }

            @Override
            public List<String> names() {
                return files.names();
            }

            @Override
            public List<Path> fileRoots() {
                return List.of(root);
            }
        };
    }

    private void sls(String relativePath, String text) throws Exception {
        Path file = root.resolve(relativePath);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static String error(HighStateCompiler compiler, String sls) {
        CompileException error = assertThrows(CompileException.class, () -> compiler.compile(List.of(sls)));
        return error.getMessage();
    }

    @Test
    void typoSuggestsCloseName() throws Exception {
        sls("qvm/sys-whonix.sls", "sys-whonix:\n  qvm.exists: []\n");

        assertEquals("SLS 'qvm.sys_whonix' was not found in the file roots [" + root + "]: neither"
                + " qvm/sys_whonix.sls nor qvm/sys_whonix/init.sls exists. Did you mean 'qvm.sys-whonix'?",
                error(new HighStateCompiler(source()), "qvm.sys_whonix"));
    }

    @Test
    void noCloseNameSaysWhatToCheck() throws Exception {
        sls("qvm/sys-whonix.sls", "sys-whonix:\n  qvm.exists: []\n");

        assertEquals("SLS 'net.vpn' was not found in the file roots [" + root + "]: neither"
                + " net/vpn.sls nor net/vpn/init.sls exists. Check the SLS name, or add the file to a file root.",
                error(new HighStateCompiler(source()), "net.vpn"));
    }

    @Test
    void topFileLineStartsMessage() throws Exception {
        sls("qvm/sys-whonix/init.sls", "sys-whonix:\n  qvm.exists: []\n");
        SourceLine line = new SourceLine(root.resolve("top.sls"), 3, false);
        HighStateCompiler compiler = new HighStateCompiler(source(),
                sls -> sls.equals("qvm.sys_whonix") ? line : null);

        assertEquals(root.resolve("top.sls") + ":3: SLS 'qvm.sys_whonix' was not found in the file"
                + " roots [" + root + "]: neither qvm/sys_whonix.sls nor qvm/sys_whonix/init.sls"
                + " exists. Did you mean 'qvm.sys-whonix'?", error(compiler, "qvm.sys_whonix"));
    }

    @Test
    void unknownTopLineIsLeftOut() throws Exception {
        HighStateCompiler compiler = new HighStateCompiler(source(), sls -> null);

        assertEquals("SLS 'net.vpn' was not found in the file roots [" + root + "]: neither"
                + " net/vpn.sls nor net/vpn/init.sls exists. Check the SLS name, or add the file to a file root.",
                error(compiler, "net.vpn"));
    }

    @Test
    void includeNamesIncludingSls() throws Exception {
        sls("main.sls", "include: [common]\nwork:\n  qvm.exists: []\n");
        sls("commons.sls", "other:\n  qvm.exists: []\n");

        assertEquals("SLS 'common' included from SLS 'main' was not found in the file roots [" + root
                + "]: neither common.sls nor common/init.sls exists. Did you mean 'commons'?",
                error(new HighStateCompiler(source()), "main"));
    }

    @Test
    void includeGlobWithoutMatch() throws Exception {
        sls("main.sls", "include: [lib.*]\nwork:\n  qvm.exists: []\n");
        sls("libs/a.sls", "other:\n  qvm.exists: []\n");

        assertEquals("SLS 'lib.*' included from SLS 'main' was not found in the file roots [" + root
                + "]: the glob matches no SLS name. Fix the include in SLS 'main' or add the file to a file root.",
                error(new HighStateCompiler(source()), "main"));
    }
}
