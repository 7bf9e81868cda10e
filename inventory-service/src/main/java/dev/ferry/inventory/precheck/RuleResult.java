package dev.ferry.inventory.precheck;

/** The verdict of one rule for one target: passed or not, and a sentence a person understands. */
public record RuleResult(Rule code, boolean passed, String message) {

    static RuleResult pass(Rule rule, String message) {
        return new RuleResult(rule, true, message);
    }

    static RuleResult fail(Rule rule, String message) {
        return new RuleResult(rule, false, message);
    }
}
