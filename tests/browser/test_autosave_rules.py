"""The rules of the shared autosave (static/js/autosave.js), driven directly in Chromium.

The page imports the module and gives it a fake ``send`` whose answers the test chooses, so
that each rule is seen on its own: what a save does to the local copy, input typed while a
save is on its way, a retry after a 503, a stop after a 409. The journeys in test_autosave.py
show the same rules through the wizard and the indicator editor.
"""

import pytest

# Runs in the page: ``run(steps)`` with a fake server answering from ``answers``.
HARNESS = """
async ([answers, script]) => {
  const { createAutosave } = await import("/static/js/autosave.js");
  localStorage.clear();
  const page = { content: "", sent: [], statuses: [], kinds: [], copies: [] };
  const pending = [];
  const autosave = createAutosave({
    storageKey: "test-copy",
    snapshot: () => page.content,
    same: (a, b) => String(a).trim() === String(b).trim(),
    delay: 20,
    retryDelay: 60,
    send: (data) => {
      page.sent.push(data);
      const [status, body, late] = answers.shift();
      const response = new Response(JSON.stringify(body), { status });
      if (!late) return Promise.resolve(response);
      return new Promise((resolve) => pending.push(() => resolve(response)));
    },
    onAnswer: (kind) => page.kinds.push(kind),
    setStatus: (text) => page.statuses.push(text),
  });
  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const copy = () => {
    const stored = JSON.parse(localStorage.getItem("test-copy") || "null");
    return stored && stored.data;
  };
  for (const [action, value] of script) {
    if (action === "type") {
      page.content = value;
      autosave.changed();
    } else if (action === "wait") {
      await wait(value);
    } else if (action === "answer") {
      pending.shift()();
      await wait(20);
    } else if (action === "copy") {
      page.copies.push(copy());
    }
  }
  page.unsaved = autosave.hasUnsaved();
  page.stopped = autosave.isStopped();
  return page;
}
"""


@pytest.fixture
def run(page, base_url):
    page.goto("/accounts/login/")

    def run(answers, script):
        return page.evaluate(HARNESS, [answers, script])

    return run


def test_a_save_that_changed_nothing_still_clears_the_copy(run):
    # The server keeps " 5 " as "5": its answer is a 200 like any other.
    result = run(
        [[200, {"ok": True, "saved_at": "10:00:01"}]],
        [["type", " 5 "], ["copy"], ["wait", 150], ["copy"]],
    )
    assert result["copies"] == [" 5 ", None]
    assert result["sent"] == [" 5 "]
    assert result["statuses"][-1] == "已自动保存 10:00:01"
    assert not result["unsaved"]


def test_a_change_back_to_what_the_server_has_is_no_change(run):
    result = run(
        [[200, {"ok": True, "saved_at": "10:00:01"}]],
        [["type", "5"], ["wait", 150], ["type", "5 "], ["wait", 150], ["copy"]],
    )
    assert result["sent"] == ["5"]
    assert result["copies"] == [None]
    assert not result["unsaved"]


def test_input_typed_while_a_save_is_on_its_way_is_kept_and_sent_next(run):
    result = run(
        [[200, {"ok": True, "saved_at": "10:00:01"}, True], [200, {"ok": True}, True]],
        [
            ["type", "5"],
            ["wait", 100],
            ["type", "56"],
            ["answer"],
            ["copy"],
            ["wait", 100],
            ["answer"],
            ["copy"],
        ],
    )
    assert result["sent"] == ["5", "56"]
    assert result["copies"] == ["56", None]
    assert not result["unsaved"]


def test_a_503_is_tried_again_and_the_copy_kept_meanwhile(run):
    result = run(
        [[503, {"error": "数据库暂时无法连接"}], [200, {"ok": True, "saved_at": "10:00:02"}]],
        [["type", "7"], ["wait", 40], ["copy"], ["wait", 250], ["copy"]],
    )
    assert result["kinds"] == ["failed", "saved"]
    assert result["sent"] == ["7", "7"]
    assert result["copies"] == ["7", None]
    assert "稍后自动重试" in result["statuses"][2]


def test_a_409_stops_saving_and_keeps_the_copy(run):
    result = run(
        [[409, {"ok": False, "error": "这份申报已在别处被修改"}]],
        [["type", "8"], ["wait", 150], ["type", "89"], ["wait", 150], ["copy"]],
    )
    assert result["kinds"] == ["refused"]
    assert result["sent"] == ["8"]
    assert result["copies"] == ["89"]
    assert result["stopped"] and result["unsaved"]


def test_a_save_with_field_errors_keeps_the_copy(run):
    # The wizard saves what is valid and answers 200 {ok: false}: the rest is not saved.
    result = run(
        [[200, {"ok": False, "errors": {"funds_total": ["金额有误"]}, "saved_at": "10:00:03"}]],
        [["type", "abc"], ["wait", 150], ["copy"]],
    )
    assert result["kinds"] == ["partly"]
    assert result["copies"] == ["abc"]
    assert result["statuses"][-1] == "已自动保存 10:00:03（有输入错误的栏目未保存）"
