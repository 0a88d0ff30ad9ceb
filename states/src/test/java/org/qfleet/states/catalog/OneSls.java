package org.qfleet.states.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.qfleet.states.compile.CompileException;
import org.qfleet.states.compile.HighStateCompiler;
import org.qfleet.states.compile.LowChunk;
import org.qfleet.states.compile.SlsSource;
import org.qfleet.states.plan.PlanChunk;
import org.yaml.snakeyaml.Yaml;

/** A formula tree of one SLS, named {@code main}, given as YAML text, for the catalog's tests. */
final class OneSls {

    private OneSls() {}

    /** Returns a source that has only the SLS {@code main}, which renders to {@code yaml}. */
    static SlsSource source(String yaml) {
        return new SlsSource() {
            @Override
            public Map<String, Object> render(String sls) {
                return new Yaml().load(yaml);
            }

            @Override
            public boolean exists(String sls) {
                return sls.equals("main");
            }
        };
    }

    /** Compiles the SLS {@code main} to plan chunks with the default catalog. */
    static List<PlanChunk> compileAll(String yaml) throws CompileException {
        List<PlanChunk> chunks = new ArrayList<>();
        StateCatalog catalog = new StateCatalog();
        for (LowChunk chunk : new HighStateCompiler(source(yaml)).compile(List.of("main"))) {
            chunks.add(catalog.compile(chunk));
        }
        return chunks;
    }
}
