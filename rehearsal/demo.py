"""``python bot.py demo``: the whole loop, offline, in well under two minutes.

A temporary folder holds the SQLite store and the config; the emulator runs in this process and
the real bot runs as ``bot.py run``. The office uploads the shipped briefing, sees the preview and presses 发布;
liaisons acknowledge at random moments by button, by /ack, by replying /ack and by typing 收到; the
command menus differ per chat; two units stay
silent, get reminded and are escalated to the office; the office asks /status; the final ack list
is printed from the ledger.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any

from briefbot import cli
from rehearsal.harness import Person, Rehearsal, Scenario, UnitSpec
from rehearsal.transcript import write_transcript
from tgemu.htmltext import visible_text

CITIES = ["东江市", "青岭市", "白沙市", "云门市", "石港市", "梅溪市"]
DEPARTMENTS = ["省发展改革委", "省教育厅", "省财政厅", "省市场监管局", "省数据局", "省商务厅"]
SURNAMES = "赵钱孙周吴郑冯陈褚卫蒋沈"


def demo_units() -> list[UnitSpec]:
    units = []
    for i, name in enumerate(CITIES + DEPARTMENTS):
        group = "设区市" if name in CITIES else "省直部门"
        code = f"{'city' if group == '设区市' else 'dept'}{i + 1:02d}"
        liaison = Person(20001 + i, f"{SURNAMES[i]}联络员")
        units.append(UnitSpec(code, name, group, -1001000000101 - i, (liaison,)))
    return units


def _say(started: float, text: str) -> None:
    print(f"[{time.monotonic() - started:5.1f}s] {text}", flush=True)


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else ""


async def rehearse(seed: int, workdir: Path, keep: bool = False) -> int:
    rng = random.Random(seed)
    units = demo_units()
    silent = set(rng.sample([u.code for u in units], 2))
    late = set(rng.sample([u.code for u in units if u.code not in silent], 2))
    started = time.monotonic()
    scenario = Scenario(units=units)
    async with Rehearsal(scenario, workdir) as run:
        emu = run.emu
        _say(
            started,
            f"模拟 Telegram 已启动：{run.server.base_url}（{len(units)} 个单位群 + 办公室群）",
        )
        run.start_bot()
        await run.wait_ready()
        _say(started, "机器人已启动（bot.py run），正在长轮询")
        world = run.server.world
        world.chats[scenario.office_chat_id].admins = {a.user_id for a in scenario.admins}
        bot = next(iter(world.bots.values()))

        def menu(chat_id: int, user_id: int) -> str:
            return " ".join("/" + c["command"] for c in world.menu_for(bot, chat_id, user_id))

        _say(
            started,
            "命令菜单按群设置：办公室管理员看到 "
            + menu(scenario.office_chat_id, scenario.admins[0].user_id)
            + "；单位群看到 "
            + menu(units[0].chat_id, units[0].liaisons[0].user_id),
        )

        briefing = resources.files("rehearsal").joinpath("briefings/qingfeng-briefing-7.txt")
        admin = scenario.admins[0]
        office = scenario.office_chat_id
        await emu.upload(office, admin.user_id, "清风惠企简报第7期.txt", briefing.read_bytes())
        _say(started, f"{admin.name} 在办公室群上传简报文件")

        async def previewed() -> dict[str, Any] | None:
            bot_messages = [m for m in run.server.world.transcript(office) if m["from_bot"]]
            return next((m for m in bot_messages if m.get("reply_markup")), None)

        preview = await run.wait_for(previewed, 20, "the preview")
        _say(
            started,
            "机器人在办公室群发出预览（与各单位将收到的完全一致），附“发布”“取消”“编辑”“仅推送原文”按钮",
        )
        note = next(
            m["text"] for m in run.server.world.transcript(office) if "识别：" in m.get("text", "")
        )
        for line in note.splitlines():
            if line.startswith(("识别：", "⚠️")):
                _say(started, f"预览说明：{line}")
        query = await emu.press(office, preview["message_id"], admin.user_id)

        async def answered() -> str | None:
            answer = await emu.callback(query)
            return str(answer["text"]) if answer.get("answered") else None

        _say(
            started,
            f"{admin.name} 点击“发布”，机器人答复：{await run.wait_for(answered, 10, 'publish')}",
        )

        async def all_delivered() -> bool:
            return all(run.notices_in(u.chat_id) for u in units)

        await run.wait_for(all_delivered, 30, "every unit to receive the notice")
        _say(started, f"全部 {len(units)} 个单位群已收到通知，每群一条")

        async def push_summary() -> str | None:
            return next((t for t in run.plain_texts(office) if t.startswith("✅ 推送完成")), None)

        _say(
            started,
            "办公室群的推送进度消息（原地更新）："
            + await run.wait_for(push_summary, 15, "summary"),
        )
        print(
            "\n----- 单位群收到的消息 -----\n"
            + visible_text(run.notices_in(units[0].chat_id)[0]["text"])
            + "\n----------------------------\n",
            flush=True,
        )

        # the silent units' liaisons read /help, and then forget to sign
        for unit in units:
            if unit.code in silent:
                await emu.send(unit.chat_id, unit.liaisons[0].user_id, "/help")

        # A stranger tries to acknowledge for a unit
        stranger = Person(29999, "群内其他成员")
        run.server.world.add_user(stranger.user_id, stranger.name)
        target = next(u for u in units if u.code not in silent)
        await emu.send(target.chat_id, stranger.user_id, "/ack")

        async def refused() -> str | None:
            return next((t for t in run.plain_texts(target.chat_id) if "不是" in t), None)

        _say(
            started,
            f"{target.name}群：非联络员发送 /ack，被礼貌拒绝：{await run.wait_for(refused, 10, 'refusal')}",
        )

        plan: list[tuple[float, UnitSpec, str]] = []
        for unit in units:
            if unit.code in silent:
                continue
            when = rng.uniform(10.0, 12.0) if unit.code in late else rng.uniform(0.5, 6.0)
            plan.append((when, unit, rng.choice(["button", "command", "reply", "typed"])))
        plan.sort(key=lambda p: p[0])
        t0 = time.monotonic()
        for when, unit, how in plan:
            await asyncio.sleep(max(0.0, when - (time.monotonic() - t0)))
            liaison = unit.liaisons[0]
            notice = run.notices_in(unit.chat_id)[0]
            if how == "button":
                await emu.press(unit.chat_id, notice["message_id"], liaison.user_id)
                label = "点击“已收到”"
            elif how == "typed":
                await emu.send(unit.chat_id, liaison.user_id, "收到，谢谢")
                label = "在群里打字“收到，谢谢”（算作签收）"
            elif how == "reply":
                await emu.send(unit.chat_id, liaison.user_id, "/ack", reply_to=notice["message_id"])
                label = "回复通知 /ack"
            else:
                await emu.send(unit.chat_id, liaison.user_id, "/ack")
                label = "发送 /ack"
            _say(started, f"{unit.name} {liaison.name} {label}")
        # a harmless second ack
        await emu.send(target.chat_id, target.liaisons[0].user_id, "/ack")

        async def second_ack_answered() -> str | None:
            return next((t for t in run.plain_texts(target.chat_id) if "无需重复" in t), None)

        _say(
            started, f"{target.name}重复签收：{await run.wait_for(second_ack_answered, 10, 'dup')}"
        )

        def reminded_texts(unit: UnitSpec) -> list[str]:
            return [t for t in run.plain_texts(unit.chat_id) if t.startswith("⏰ 签收提醒")]

        async def escalated() -> str | None:
            return next((t for t in run.plain_texts(office) if "逾期未签收上报" in t), None)

        for code in sorted(silent):
            unit = next(u for u in units if u.code == code)

            async def reminded(unit: UnitSpec = unit) -> list[str]:
                return [t for t in run.plain_texts(unit.chat_id) if t.startswith("⏰ 签收提醒")]

            reminders = await run.wait_for(reminded, 30, f"a reminder to {unit.name}")
            _say(started, f"{unit.name}（未签收）收到提醒：\n" + reminders[0])
        text = await run.wait_for(escalated, 40, "the escalation to the office")
        for code in sorted(silent):
            unit = next(u for u in units if u.code == code)
            mentioned = [t for t in reminded_texts(unit) if "尽快处理" in t]
            if mentioned:
                _say(
                    started,
                    f"{unit.name}最后一次提醒点名联络员：{mentioned[-1].splitlines()[-1]}",
                )
        _say(started, "办公室群收到上报：\n" + text)

        await emu.send(office, admin.user_id, "/status")

        async def status_reply() -> str | None:
            return next((t for t in run.plain_texts(office) if t.startswith("📊")), None)

        _say(started, "办公室 /status：\n" + await run.wait_for(status_reply, 10, "/status"))
        code = await run.stop_bot()
        _say(started, f"机器人已停止（退出码 {code}）")
        print("\n===== 最终签收单（bot.py report）=====", flush=True)
        cli.report(str(run.config_path), None, "table")
        total = time.monotonic() - started
        _say(started, f"演练结束，用时 {total:.1f} 秒")
        if keep:
            transcript = workdir / "transcript.txt"
            write_transcript(run.server.world, transcript)
            print(f"各群所见（消息、编辑、按钮、文件）已写入 {transcript}", flush=True)
        return 0 if code == 0 else 1


def main(seed: int = 7, keep: bool = False) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="briefbot-demo-"))
    try:
        return asyncio.run(rehearse(seed, workdir, keep))
    except (TimeoutError, RuntimeError) as exc:
        print(f"演练失败：{exc}")
        return 1
    finally:
        if keep:
            print(f"临时目录保留在 {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
