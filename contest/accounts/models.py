"""People: accounts, their entrant profile, per-contest roles, invitations, sessions, login attempts, the
installation's privacy notice and every consent to it."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class EntrantCategory(StrEnum):
    PROFESSIONAL = "professional"  # union organisations, design agencies, universities
    WORKER = "worker"
    STUDENT = "student"
    MASTER = "master"  # 上海工匠, 非遗传承人, 首席技师


class EntrantKind(StrEnum):
    INDIVIDUAL = "individual"
    TEAM = "team"
    ORGANISATION = "organisation"


class ContestRoleKind(StrEnum):
    ORGANISER = "organiser"
    JUDGE = "judge"


class ConsentKind(StrEnum):
    """What one PrivacyConsent row records: each is a new answer, and the latest is the one in force."""

    GIVEN = "given"  # agreed to the notice; `sensitive` is the separate answer
    SENSITIVE_WITHDRAWN = "sensitive_withdrawn"  # still agrees to the notice, no longer to sensitive information
    WITHDRAWN = "withdrawn"  # withdrew the consent to the notice itself (asked again at the next log-in)


class User(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=255)
    display_name = fields.CharField(max_length=100)
    phone = fields.CharField(max_length=40, default="", db_default="")
    phone_verified_at = fields.DatetimeField(null=True)  # `phone` was proven by a text message (accounts.phones)
    locale = fields.CharField(max_length=10, default="zh_CN", db_default="zh_CN")
    is_active = fields.BooleanField(default=True, db_default=True)
    is_staff = fields.BooleanField(default=False, db_default=False)  # organiser of the whole site
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    profile: fields.ReverseRelation[EntrantProfile]
    roles: fields.ReverseRelation[ContestRole]

    class Meta:
        table = "user"


class EntrantProfile(Model):
    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "models.User", related_name="profile", on_delete=fields.OnDelete.CASCADE
    )
    user_id: int
    category = fields.CharEnumField(EntrantCategory, max_length=20, default=EntrantCategory.WORKER)
    kind = fields.CharEnumField(EntrantKind, max_length=20, default=EntrantKind.INDIVIDUAL)
    organisation = fields.CharField(max_length=200, default="", db_default="")
    school = fields.CharField(max_length=200, default="", db_default="")
    supervisor_name = fields.CharField(max_length=100, default="", db_default="")
    supervisor_email = fields.CharField(max_length=254, default="", db_default="")

    class Meta:
        table = "entrant_profile"


class ContestRole(Model):
    id = fields.IntField(primary_key=True)
    contest: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Contest", related_name="roles", on_delete=fields.OnDelete.CASCADE
    )
    contest_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="roles", on_delete=fields.OnDelete.CASCADE
    )
    user_id: int
    role = fields.CharEnumField(ContestRoleKind, max_length=20)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "contest_role"
        unique_together = (("contest", "user", "role"),)


class Invitation(Model):
    """A single-use link. Only the SHA-256 of its token is stored."""

    id = fields.IntField(primary_key=True)
    contest: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Contest", related_name="invitations", on_delete=fields.OnDelete.CASCADE
    )
    contest_id: int
    email = fields.CharField(max_length=254)
    role = fields.CharEnumField(ContestRoleKind, max_length=20)
    token_hash = fields.CharField(max_length=64, unique=True)
    judge_group: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.JudgeGroup", related_name="invitations", null=True, on_delete=fields.OnDelete.SET_NULL
    )
    judge_group_id: int | None
    invited_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invitations_sent", null=True, on_delete=fields.OnDelete.SET_NULL
    )
    invited_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "invitation"


class Session(Model):
    """Server-side session. The cookie holds a random id, the table keeps only its SHA-256."""

    id = fields.IntField(primary_key=True)
    key_hash = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.OnDelete.CASCADE
    )
    user_id: int
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    # the idle limit granted at the last activity (accounts.sessions); rows older than it take the shortest
    idle_seconds = fields.IntField(db_default=1800)
    ip = fields.CharField(max_length=64, default="", db_default="")
    user_agent = fields.CharField(max_length=300, default="", db_default="")
    # set at the log-in when the user has not accepted the current privacy notice (accounts.privacy): the
    # session reaches nothing but that notice until they do; a session already open is never stopped by it
    consent_due = fields.BooleanField(default=False, db_default=False)

    class Meta:
        table = "session"


class LoginAttempt(Model):
    """One counted attempt (login, registration, vote code, objection) under one throttle key, so every
    process agrees (accounts.throttle)."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=300, db_index=True)
    at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "login_attempt"


class PhoneCode(Model):
    """The live code sent to a phone for one purpose ("account:<user id>", "vote:<contest id>"): only its HMAC,
    its expiry and the wrong tries made against it (accounts.phones). A new code replaces the old."""

    id = fields.IntField(primary_key=True)
    purpose = fields.CharField(max_length=40)
    phone = fields.CharField(max_length=11)
    code_hash = fields.CharField(max_length=64)
    expires_at = fields.DatetimeField()
    wrong_tries = fields.IntField(default=0, db_default=0)

    class Meta:
        table = "phone_code"
        unique_together = (("purpose", "phone"),)


class PasswordReset(Model):
    """A single-use link to choose a new password. Only the SHA-256 of its token is stored."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="password_resets", on_delete=fields.OnDelete.CASCADE
    )
    user_id: int
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "password_reset"


class PrivacyNotice(Model):
    """A version of the installation's privacy notice (个人信息处理规则). Versions are only added, never
    edited, like a contest's terms: a consent names the version its user read."""

    id = fields.IntField(primary_key=True)
    version = fields.IntField(unique=True)
    title = fields.CharField(max_length=200)
    title_en = fields.CharField(max_length=200, default="", db_default="")
    body = fields.TextField()  # Markdown
    body_en = fields.TextField(default="")
    created_at = fields.DatetimeField()
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="privacy_notices", null=True, on_delete=fields.OnDelete.SET_NULL
    )  # None: the default shipped with the app
    created_by_id: int | None

    class Meta:
        table = "privacy_notice"


class PrivacyConsent(Model):
    """One answer: which account accepted which version, when, from where, and whether it also gave the
    separate consent to sensitive personal information; or, by `kind`, a withdrawal of either (PIPL art. 15),
    `accepted_at` then being its time. Rows are only added, never changed, and kept for as long as the account."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="privacy_consents", on_delete=fields.OnDelete.CASCADE
    )
    user_id: int
    notice: fields.ForeignKeyRelation[PrivacyNotice] = fields.ForeignKeyField(
        "models.PrivacyNotice", related_name="consents", on_delete=fields.OnDelete.RESTRICT
    )
    notice_id: int
    sensitive = fields.BooleanField()
    accepted_at = fields.DatetimeField()
    ip = fields.CharField(max_length=64, default="", db_default="")
    kind = fields.CharEnumField(ConsentKind, max_length=20, default=ConsentKind.GIVEN, db_default="given")

    class Meta:
        table = "privacy_consent"
        ordering = ["-accepted_at", "-id"]
