package io.isola.cli.args;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Options anywhere after the command, GNU style; for a command whose operands are a task's argv, not after it. */
class ParserTest {
    /** A command that records what the parser gave it. */
    static final class Recorder implements Command {
        final boolean argvOperands;
        final List<String> seen = new ArrayList<>();
        List<String> operands;

        Recorder(boolean argvOperands) {
            this.argvOperands = argvOperands;
        }

        @Override
        public String name() {
            return "rec";
        }

        @Override
        public String summary() {
            return "records";
        }

        @Override
        public List<String> description() {
            return List.of();
        }

        @Override
        public List<Option> options() {
            return List.of(
                    Option.flag("--json", "json"),
                    Option.value("--policy", "FILE", "policy"),
                    Option.optional("--ocr", "LANGS", "ocr"));
        }

        /** As OpenCommand: only a word spelled like languages is --ocr's. */
        @Override
        public boolean isOptionalValue(Option option, String next) {
            return next.matches("[a-z]{3}(\\+[a-z]{3})*");
        }

        @Override
        public String operands() {
            return "X";
        }

        @Override
        public boolean optionsEndAtFirstOperand() {
            return argvOperands;
        }

        @Override
        public void set(Option option, String value) {
            seen.add(option.name() + (value == null ? "" : "=" + value));
        }

        @Override
        public void operands(List<String> operands) {
            this.operands = operands;
        }

        @Override
        public int call() {
            return 0;
        }
    }

    private static Recorder parse(boolean argvOperands, String... args) throws UsageException {
        Recorder r = new Recorder(argvOperands);
        assertThat(Parser.parse(r, args)).isTrue();
        return r;
    }

    @Test
    void optionsStandBeforeBetweenOrAfterOperands() throws UsageException {
        for (String[] args :
                List.of(new String[] {"--json", "explain", "X"}, new String[] {"explain", "--json", "X"}, new String[] {
                    "explain", "X", "--json"
                })) {
            Recorder r = parse(false, args);
            assertThat(r.seen).as(String.join(" ", args)).containsExactly("--json");
            assertThat(r.operands).as(String.join(" ", args)).containsExactly("explain", "X");
        }
        Recorder v = parse(false, "explain", "--policy", "p.toml", "X");
        assertThat(v.seen).containsExactly("--policy=p.toml");
        assertThat(v.operands).containsExactly("explain", "X");
        Recorder eq = parse(false, "explain", "X", "--policy=p.toml");
        assertThat(eq.seen).containsExactly("--policy=p.toml");
    }

    @Test
    void doubleDashAlwaysEndsTheOptions() throws UsageException {
        Recorder r = parse(false, "explain", "--", "--json", "-");
        assertThat(r.seen).isEmpty();
        assertThat(r.operands).containsExactly("explain", "--json", "-");
        Recorder lone = parse(false, "-", "--json");
        assertThat(lone.operands).containsExactly("-");
        assertThat(lone.seen).containsExactly("--json");
    }

    @Test
    void forATasksArgvTheFirstOperandEndsTheOptions() throws UsageException {
        Recorder r = parse(true, "--json", "sh", "--json", "--policy", "x");
        assertThat(r.seen).containsExactly("--json");
        assertThat(r.operands).containsExactly("sh", "--json", "--policy", "x");
        Recorder dd = parse(true, "--", "--json");
        assertThat(dd.operands).containsExactly("--json");
    }

    @Test
    void anUnknownOptionAfterAnOperandIsStillAnError() {
        assertThatThrownBy(() -> parse(false, "explain", "X", "--jsno"))
                .isInstanceOf(UsageException.class)
                .hasMessage("unknown option --jsno (did you mean --json?)");
        assertThatThrownBy(() -> parse(false, "explain", "--policy"))
                .isInstanceOf(UsageException.class)
                .hasMessage("option --policy needs a value: --policy FILE");
    }

    @Test
    void anOptionalValueIsTakenOnlyWhenItIsOneAndNeverSwallowsAFile() throws UsageException {
        assertThat(parse(false, "--ocr", "scan.pdf").seen).containsExactly("--ocr");
        assertThat(parse(false, "--ocr", "scan.pdf").operands).containsExactly("scan.pdf");
        Recorder langs = parse(false, "--ocr", "eng+deu", "scan.pdf");
        assertThat(langs.seen).containsExactly("--ocr=eng+deu");
        assertThat(langs.operands).containsExactly("scan.pdf");
        Recorder eq = parse(false, "scan.pdf", "--ocr=fra");
        assertThat(eq.seen).containsExactly("--ocr=fra");
        Recorder last = parse(false, "scan.pdf", "--ocr");
        assertThat(last.seen).containsExactly("--ocr");
        assertThat(last.operands).containsExactly("scan.pdf");
        assertThatThrownBy(() -> parse(false, "--ocr=", "scan.pdf"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--ocr needs a [LANGS] after '=', or nothing");
    }
}
