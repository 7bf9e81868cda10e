package dev.ferry.inventory.api;

/** The verdict of one rule for one target: passed or not, and a sentence a person understands. */
public record RuleResult(Rule code, boolean passed, String message) {

    public static RuleResult pass(Rule rule, String message) {
        return new RuleResult(rule, true, message);
    }

    public static RuleResult fail(Rule rule, String message) {
        return new RuleResult(rule, false, message);
    }
}
