package io.switchboard.support;

import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The chat page (webroot/index.html) as a person uses it, for browser tests: sign in, join,
 * write, read the log. Waits poll the page; nothing sleeps.
 */
public final class ChatPage {

  public static final long WAIT_SECONDS = 20;

  /** One entry of the message log, as shown. */
  public record Entry(String kind, Long seq, String from, String text, String time, String fullTime) {
  }

  private final Browser browser;
  private final WebDriver page;

  public ChatPage(Browser browser) {
    this.browser = browser;
    this.page = browser.driver();
  }

  public Browser browser() {
    return browser;
  }

  public ChatPage open(int port, String query) {
    page.get("http://127.0.0.1:" + port + "/" + (query == null ? "" : "?" + query));
    return this;
  }

  /** Signs in with the development login and waits until the page is connected. */
  public ChatPage signIn(String user, String name) {
    WebElement field = browser.until(d -> d.findElement(By.id("login-user")).isDisplayed() ? d.findElement(By.id("login-user")) : null, WAIT_SECONDS);
    field.clear();
    field.sendKeys(user);
    page.findElement(By.id("login-name")).clear();
    page.findElement(By.id("login-name")).sendKeys(name);
    page.findElement(By.cssSelector("#login-form button")).click();
    awaitStatus("connected");
    return this;
  }

  public void awaitStatus(String state) {
    browser.until(d -> d.findElement(By.id("status")).getAttribute("class").contains(state), WAIT_SECONDS);
  }

  public String status() {
    return page.findElement(By.id("status")).getText();
  }

  /** Waits until the room is current and joined (a conversation: its history is loaded). */
  public void awaitJoined(String room) {
    browser.until(d -> Boolean.TRUE.equals(browser.js(
        "const r = window.switchboardChat.rooms.get(arguments[0]); return !!r && (r.joined || r.loaded) && window.switchboardChat.current() === arguments[0];", room)), WAIT_SECONDS);
  }

  public void join(String room) {
    WebElement field = page.findElement(By.id("join-room"));
    field.sendKeys(room);
    field.sendKeys(Keys.ENTER);
    awaitJoined(room);
  }

  public void select(String room) {
    // the list is drawn anew as messages come in: a button found a moment ago may be gone
    browser.until(d -> {
      try {
        d.findElement(By.cssSelector("button[data-room='" + room + "']")).click();
        return true;
      } catch (org.openqa.selenium.StaleElementReferenceException e) {
        return false;
      }
    }, WAIT_SECONDS);
    browser.until(d -> room.equals(browser.js("return window.switchboardChat.current();")), WAIT_SECONDS);
  }

  /** Types a message and sends it with Enter; waits until the input is empty (the ack came). */
  public void write(String text) {
    WebElement input = page.findElement(By.id("input"));
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (i > 0) {
        input.sendKeys(Keys.chord(Keys.SHIFT, Keys.ENTER));
      }
      input.sendKeys(lines[i]);
    }
    input.sendKeys(Keys.ENTER);
    browser.until(d -> "".equals(d.findElement(By.id("input")).getAttribute("value")), WAIT_SECONDS);
  }

  @SuppressWarnings("unchecked")
  public List<Entry> entries() {
    List<Map<String, Object>> rows = (List<Map<String, Object>>) browser.js(
        "return Array.from(document.querySelectorAll('#log .msg')).map(m => ({"
        + " kind: ['own','other','system'].find(k => m.classList.contains(k)),"
        + " seq: m.dataset.seq === undefined ? null : Number(m.dataset.seq),"
        + " from: m.querySelector('.from') ? m.querySelector('.from').textContent : null,"
        + " text: m.querySelector('.text').textContent,"
        + " time: m.querySelector('time').textContent, full: m.querySelector('time').title }));");
    return rows.stream().map(r -> new Entry((String) r.get("kind"), r.get("seq") == null ? null : ((Number) r.get("seq")).longValue(),
        (String) r.get("from"), (String) r.get("text"), (String) r.get("time"), (String) r.get("full"))).toList();
  }

  public List<Entry> messages() {
    return entries().stream().filter(e -> !"system".equals(e.kind())).toList();
  }

  public List<Long> seqs() {
    return messages().stream().map(Entry::seq).toList();
  }

  /** Waits until an entry with exactly this text is in the log and returns it. */
  public Entry await(String text) {
    return browser.until(d -> entries().stream().filter(e -> e.text().equals(text)).findFirst().orElse(null), WAIT_SECONDS);
  }

  public Entry awaitNotice(String containing) {
    return browser.until(d -> entries().stream()
        .filter(e -> "system".equals(e.kind()) && e.text().contains(containing)).findFirst().orElse(null), WAIT_SECONDS);
  }

  /** The list button of a room or conversation. */
  public WebElement listButton(String room) {
    return page.findElement(By.cssSelector("button[data-room='" + room + "']"));
  }

  public String unread(String room) {
    // read in one script: the list is drawn anew as messages come in, and an element found a
    // moment before may be gone; textContent, shown or not (a closed list on a phone)
    return (String) browser.js("const b = document.querySelector(\"button[data-room='\" + arguments[0] + \"'] .badge\");"
        + " return b ? b.textContent : '';", room);
  }

  public Object js(String script, Object... args) {
    return browser.js(script, args);
  }
}
