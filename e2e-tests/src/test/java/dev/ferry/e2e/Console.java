package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/** The web console as a person uses it, in a real browser: sign in, start, watch, cancel. */
final class Console {
    final Browser browser;
    final String base;

    Console(Browser browser, String schedulerUrl) {
        this.browser = browser;
        this.base = schedulerUrl + "/console/";
    }

    /** Opens the console, which sends the browser to the identity provider's login page, and signs in there. */
    void signIn(String user, String password) {
        browser.open(base);
        browser.find("#username").sendKeys(user);
        browser.find("#password").sendKeys(password);
        browser.find("#kc-login").click();
        browser.until(Duration.ofSeconds(30), d -> d.findElement(By.id("who")).getText().startsWith(user + " ") ? true : null);
    }

    void go(String hash) {
        browser.driver.navigate().to(base + hash);
    }

    /** On the New migration page: the VM, then the button of the chosen host's row; answers the new migration's id. */
    String startMigration(long vmId, String hostName) {
        go("#/new/" + vmId);
        browser.until(Duration.ofSeconds(30), d -> {
            d.findElement(By.cssSelector("#candidates tr[data-host='" + hostName + "'][data-compatible='true'] button.start")).click();
            return true;
        });
        String url = browser.until(Duration.ofSeconds(20), d -> d.getCurrentUrl().matches(".*#/migrations/[0-9a-f-]{36}$")
                ? d.getCurrentUrl() : null);
        return url.substring(url.lastIndexOf('/') + 1);
    }

    /** The number of rounds the charts show, each time it changed, until the page shows a final phase. */
    List<Integer> pointsUntilTheEnd(Duration timeout) {
        List<Integer> seen = new ArrayList<>();
        browser.until(timeout, d -> {
            int points = Integer.parseInt(d.findElement(By.id("charts")).getAttribute("data-points"));
            if (seen.isEmpty() || seen.get(seen.size() - 1) != points) {
                seen.add(points);
            }
            return phase().matches("SUCCEEDED|FAILED|CANCELLED") ? true : null;
        });
        seen.add(Integer.parseInt(browser.until(Duration.ofSeconds(5), d -> d.findElement(By.id("charts")).getAttribute("data-points"))));
        return seen;
    }

    /** The phase the migration page shows in its heading. */
    String phase() {
        return browser.text("h1 .badge");
    }

    /** Points at a round on a chart: the tooltip names the round and the policy's decision. */
    String hoverOnRound(String chart) {
        WebElement over = browser.find("#chart-" + chart + " .u-over");
        new Actions(browser.driver).moveToElement(over, over.getSize().width / 2 - 2, 0).perform();
        return browser.until(Duration.ofSeconds(5), d -> {
            WebElement tip = d.findElement(By.cssSelector(".tooltip"));
            return tip.isDisplayed() ? tip.getText() : null;
        });
    }

    /** The Cancel button, confirmed in the browser's dialog. */
    void cancel() {
        // the live page redraws its buttons with each update: look the button up and click it in one go
        browser.until(Duration.ofSeconds(30), d -> {
            d.findElement(By.id("cancel")).click();
            return true;
        });
        browser.until(Duration.ofSeconds(5), d -> d.switchTo().alert()).accept();
    }

    void awaitPhase(String phase, Duration timeout) {
        browser.until(timeout, d -> phase.equals(phase()) ? true : null);
    }

    static void assertGrewRoundByRound(List<Integer> seen, long rounds) {
        assertThat(seen.get(seen.size() - 1)).as("a point per round, every round").isEqualTo((int) rounds);
        assertThat(seen.stream().filter(p -> p > 0 && p < rounds).count())
                .as("points appeared while it ran, not all at the end: %s", seen).isGreaterThanOrEqualTo(1);
        for (int i = 1; i < seen.size(); i++) {
            assertThat(seen.get(i)).as("never loses a point: %s", seen).isGreaterThanOrEqualTo(seen.get(i - 1));
        }
    }
}
