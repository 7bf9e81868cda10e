package dev.ferry.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import dev.ferry.testsupport.TestBroker;
import dev.ferry.testsupport.TestIdentity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Not a test of CI (its name does not end in IT): {@code ./ferry screenshots} runs it to photograph each page of the web
 * console into docs/console/, for the README. A small fleet on the end-to-end platform, simulated in real time (so
 * that planned and actual bars compare), with the local identity
 * provider (whose login page it signs in at, as ./ferry up does), a few finished migrations for the accuracy page, one
 * running, an evacuation under way.
 */
class ConsoleScreenshots {
    static final long GIB = 1L << 30;

    @Test
    void photographEachPage() throws Exception {
        Path out = Path.of(System.getProperty("ferry.screenshots", "target/console-screenshots")).toAbsolutePath();
        try (Platform platform = Platform.start("shots", Map.of("FERRY_SIMULATION_TIME_SCALE", "1.0"));
                Browser browser = new Browser(1440, 1100)) {
            Fleet fleet = new Fleet(platform, TestBroker.bootstrapServers(), "rack-a", 4);
            List<Long> small = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                small.add(fleet.vm("web-" + i, fleet.hosts.get(0), GIB));
            }
            long db = fleet.vm("db-1", fleet.hosts.get(0), 2 * GIB);
            for (int i = 1; i <= 6; i++) {
                fleet.vm("batch-" + i, fleet.hosts.get(2), (1 + i % 3) * GIB / 2);
            }
            // finished migrations: the accuracy page's points
            List<String> done = new ArrayList<>();
            for (long vm : small) {
                done.add(fleet.migrate(vm, fleet.hosts.get(1), 1));
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> done.stream().allMatch(fleet::ended));

            Console console = new Console(browser, platform.scheduler.url());
            console.signIn("admin", TestIdentity.provider().realm().user("admin").orElseThrow().password());
            String running = fleet.migrate(db, fleet.hosts.get(3), 1);
            console.go("#/migrations/" + running);
            browser.until(Duration.ofSeconds(60), d -> Integer.parseInt(d.findElement(org.openqa.selenium.By.id("charts"))
                    .getAttribute("data-points")) >= 3 ? true : null);
            console.hoverOnRound("downtime");
            browser.screenshot(out.resolve("migration.png"));

            String evacuation = given().baseUri(platform.scheduler.url()).post("/hosts/" + fleet.hosts.get(2) + "/evacuate")
                    .then().statusCode(202).extract().jsonPath().getString("id");
            console.go("#/evacuations/" + evacuation);
            await().atMost(Duration.ofSeconds(120)).until(() -> given().baseUri(platform.scheduler.url())
                    .get("/evacuations/" + evacuation).jsonPath().getInt("progress.succeeded") >= 2);
            browser.until(Duration.ofSeconds(10), d -> d.findElements(org.openqa.selenium.By.cssSelector("#gantt .actual")).size() >= 3
                    ? true : null);
            browser.screenshot(out.resolve("evacuation.png"));

            console.go("#/migrations");
            browser.find("#migrations tr.clickable");
            browser.screenshot(out.resolve("migrations.png"));

            console.go("#/fleet");
            browser.find(".host[data-host='rack-a-hv-1']");
            browser.screenshot(out.resolve("fleet.png"));

            console.go("#/new/" + small.get(0));
            browser.find("#candidates button.start");
            browser.screenshot(out.resolve("new-migration.png"));

            await().atMost(Duration.ofSeconds(180)).until(() -> fleet.ended(running));
            console.go("#/accuracy");
            browser.find("#accuracy-chart canvas");
            browser.screenshot(out.resolve("accuracy.png"));
            System.out.println("console screenshots written to " + out);
        }
    }
}
