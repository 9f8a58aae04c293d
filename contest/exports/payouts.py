"""The finance office's workbook of prize payouts: one row per prize of a confirmed award, with the payee's ID
and account numbers in full (opened here and nowhere else shown to organisers), the amounts before tax, the tax
withheld and after tax as figures with two decimals, and each winner's status. Downloading it is audited."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import IO

from contest.accounts.models import User
from contest.audit.log import record
from contest.contests.models import Contest
from contest.exports.tables import Column, HeaderLanguages, Row, Sheet, defuse, local_time
from contest.exports.xlsx import write_workbook
from contest.results.models import PayeeKind
from contest.results.payees import IdType
from contest.results.payouts import PayoutRow, PayoutStatus, payout_rows
from contest.results.sealing import Sealer

COLUMNS = (Column("作品编号", "Entry number"), Column("作品名称", "Title"), Column("赛道", "Track"),
           Column("奖项", "Award"), Column("收款人类型", "Payee kind"), Column("收款人", "Payee"),
           Column("证件类型", "ID type"), Column("证件号码", "ID number"), Column("开户银行", "Bank"),
           Column("银行账号", "Account number"), Column("开户名", "Account holder"), Column("联系电话", "Phone"),
           Column("税前金额（元）", "Before tax (yuan)", digits=2), Column("代扣税额（元）", "Tax withheld (yuan)", digits=2),
           Column("税后金额（元）", "After tax (yuan)", digits=2), Column("状态", "Status"),
           Column("提交时间", "Submitted at"), Column("同意时间", "Consent given at"))
TITLE = "奖金发放"
KIND = {PayeeKind.INDIVIDUAL: "个人", PayeeKind.ORGANISATION: "单位", PayeeKind.TEAM_PROXY: "团队成员代领"}
ID_TYPE = {IdType.RESIDENT_ID: "居民身份证", IdType.PASSPORT: "护照", IdType.HK_MACAU: "港澳居民来往内地通行证",
           IdType.TAIWAN: "台湾居民来往大陆通行证", IdType.OTHER: "其他证件", IdType.USCC: "统一社会信用代码"}
STATUS = {PayoutStatus.NOT_STARTED: "未填写", PayoutStatus.SUBMITTED: "已提交", PayoutStatus.DECLINED: "已放弃",
          PayoutStatus.EXPIRED: "逾期视为放弃", PayoutStatus.PAID: "已发放"}


def _yuan(fen: int) -> float:
    return fen / 100


def payout_row(row: PayoutRow, contest: Contest, sealer: Sealer) -> Row:
    award, payout, zone = row.award, row.payout, contest.time_zone
    entry = award.entry
    money: Row = [_yuan(row.amounts.pre_tax_fen), _yuan(row.amounts.tax_fen), _yuan(row.amounts.after_tax_fen)]
    if payout is None or not payout.payee_name:
        payee: Row = [None] * 8
    else:
        payee = [KIND[payout.payee_kind], defuse(payout.payee_name), ID_TYPE.get(IdType(payout.id_type), payout.id_type),
                 sealer.open(payout.id_number_sealed), defuse(payout.bank_name), sealer.open(payout.account_sealed),
                 defuse(payout.account_holder), payout.phone]
    moments: Row = [local_time(payout.submitted_at, zone), local_time(payout.consented_at, zone)] if payout \
        else [None, None]
    return [entry.number, defuse(entry.title), entry.track.name, award.tier.name, *payee, *money, STATUS[row.status],
            *moments]


async def payouts_workbook(contest: Contest, *, sealer: Sealer, headers: HeaderLanguages, by: User,
                           now: datetime) -> IO[bytes]:
    """The workbook as a temporary file. Audited (payout.exported) before the numbers are opened."""
    rows = await payout_rows(contest, now=now)
    await record("payout.exported", subject=f"contest:{contest.id}", now=now, actor=by, contest_id=contest.id,
                 data={"rows": len(rows)})
    lines = [payout_row(row, contest, sealer) for row in rows]

    async def batches() -> AsyncIterator[list[Row]]:
        yield lines

    return await write_workbook([Sheet(TITLE, COLUMNS, batches)], languages=headers)
