package io.isola.desktop;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MimeAppsTest {
    private static final String FILE = """
            # my own
            [Added Associations]
            application/pdf=mupdf.desktop;

            [Default Applications]
            application/pdf=evince.desktop;
            text/plain=gedit.desktop;

            [Removed Associations]
            image/png=gimp.desktop;
            """;

    @Test
    void changesOnlyTheDefaultsGroupAndPutsBackWhatItReplaced() {
        MimeApps m = new MimeApps(FILE);
        assertThat(m.set("application/pdf", "io.isola.Isola.desktop;")).isEqualTo("evince.desktop;");
        assertThat(m.set("image/png", "io.isola.Isola.desktop;")).isNull();
        assertThat(m.defaults())
                .containsExactly(
                        java.util.Map.entry("application/pdf", "io.isola.Isola.desktop;"),
                        java.util.Map.entry("text/plain", "gedit.desktop;"),
                        java.util.Map.entry("image/png", "io.isola.Isola.desktop;"));
        assertThat(m.text()).contains("[Added Associations]\napplication/pdf=mupdf.desktop;\n");
        assertThat(m.text()).contains("[Removed Associations]\nimage/png=gimp.desktop;\n");
        m.set("application/pdf", "evince.desktop;");
        m.set("image/png", null);
        assertThat(m.text()).isEqualTo(FILE);
    }

    @Test
    void makesTheGroupWhenTheFileHasNone() {
        MimeApps m = new MimeApps("[Added Associations]\ntext/html=firefox.desktop;\n");
        m.set("text/html", "io.isola.Isola.desktop;");
        assertThat(m.text())
                .isEqualTo("[Added Associations]\ntext/html=firefox.desktop;\n\n[Default Applications]\n"
                        + "text/html=io.isola.Isola.desktop;\n");
        assertThat(new MimeApps("").get("text/html")).isNull();
    }
}
