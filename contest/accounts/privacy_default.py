"""The privacy notice shipped with the app: version 1 until the organisers publish their own, which should name
the committee and its contact. It says what the app does today (docs/privacy.md holds the details)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class DefaultNotice:
    title: str
    title_en: str
    body: str
    body_en: str
    created_at: datetime


BODY = """\
本规则依据《中华人民共和国个人信息保护法》（以下简称《个人信息保护法》）等法律法规制定，说明本平台的运营方——\
举办大赛的组委会（以下简称“我们”）——如何处理您的个人信息。请您在注册前仔细阅读。某项大赛如有补充规定，\
列在该大赛的页面上，与本规则一并适用。

## 一、我们处理哪些个人信息

1. **账号信息**：电子邮箱、姓名或称呼、手机号码（填写作品时提供）、界面语言。密码只保存不可逆的哈希值，任何人都看不到您的密码。
2. **参赛身份信息**：参赛类别（专业、职工、学生、工匠等）、参赛方式（个人、团队、单位）、所在单位、学校；\
学生作品的指导教师姓名和邮箱；团队成员姓名；作品公开展示时的署名。
3. **作品信息**：您上传的图片、PDF、视频、源文件及作品说明和表单回答。评委和公众看到的图片副本不含拍摄时间、\
地点等元数据；原始文件按上传时的样子保存，只有组委会能取用。
4. **参赛记录**：提交和修改的时间，所接受的原创承诺和知识产权条款的版本，每个文件的校验值，回执编号。
5. **使用记录**：登录会话（IP 地址、浏览器标识、时间），登录、注册和投票的尝试次数（用于防止暴力破解和刷票），\
访问日志（IP 地址、访问的页面、时间），以及记录谁在何时做了什么的操作日志。
6. **您主动提交的其他信息**：对公示结果提出的实名异议（姓名、邮箱、电话），参加大众投票时的邮箱。

## 二、敏感个人信息

敏感个人信息是一旦泄露或者被非法使用，容易导致人格尊严受到侵害或者人身、财产安全受到危害的个人信息，\
包括身份证件号码、银行账户等金融账户、行踪轨迹，以及**不满十四周岁未成年人的个人信息**。

注册和参赛时我们**不收集**敏感个人信息。只有在下列情形，我们才在必要的范围内收集，并在收集时另行告知：

- 获奖者领取奖金时的身份证件号码和银行账户，用于发放奖金和依法代扣代缴个人所得税；
- 不满十四周岁的参赛者的信息，须由其父母或者其他监护人同意并代为填写。

注册页上对敏感个人信息的**单独同意**是可选的：不同意不影响注册和参赛，需要时我们会再次征求您的同意。

## 三、处理目的和方式

- 创建和管理账号，发送注册确认、提交回执、评审结果等通知邮件；
- 组织征集、评审、公示和颁奖。评审通常是匿名的：评委只看到作品和匿名编号，看不到作者的姓名和单位；为此，系统会\
检查作品图片和文件中是否出现作者的姓名、电话等信息；
- 结果公布后，公开展示获奖作品和您填写的署名；
- 保障安全：防止冒用账号、暴力破解和刷票，处理异议和投诉；
- 履行法定义务，如依法留存网络日志、依法代扣代缴个人所得税。

我们不把您的个人信息用于与大赛无关的目的，不出售，也不用自动化决策决定评审结果（分数由评委给出）。

## 四、谁能看到您的信息

- **组委会工作人员**：组织大赛所必需的信息，按分工授权；
- **评委**：通常只看到作品和匿名编号，看不到作者身份；某轮评审需要评委知道作者身份（如决赛答辩）时，大赛事先公布；
- **公众**：结果公布后的获奖作品和署名；
- **受托处理者**：如邮件发送、云存储服务商，只能按我们的指示处理，并受合同约束；
- 除法律、行政法规另有规定或取得您的单独同意外，我们不向其他任何人提供您的个人信息。

## 五、保存期限

- 账号信息：保存到您注销账号；
- 作品和参赛记录：保存到大赛结束、结果公示期满后该大赛公布的期限；获奖作品的公开记录和操作日志因存档和\
审计需要保存更久，届时去除能识别您的信息；
- 访问日志：不少于六个月（《网络安全法》第二十一条）；
- 期限届满后，我们删除或者匿名化处理您的个人信息。

## 六、您的权利

您有权查阅、复制、更正、补充、删除您的个人信息，撤回同意，注销账号，并要求我们解释本规则。撤回同意不影响\
撤回前基于同意已经进行的处理。登录后，您可以在“我的资料”页面下载本人信息并更正资料，在“我的同意”页面撤回\
同意，在“注销账号”页面注销账号；其他请求请通过下文的联系方式提出，我们在十五个工作日内答复。

## 七、未成年人

不满十四周岁的未成年人参赛，须由其父母或者其他监护人阅读本规则并同意，由监护人填写信息。

## 八、安全措施

全程加密传输（HTTPS），密码只存哈希值，上传文件以随机名称保存，按角色授权访问，重要操作记录在以哈希链接、可发现篡改的操作\
日志中。发生个人信息泄露时，我们立即采取补救措施，并依法通知您和有关部门。

## 九、存储地点

在中华人民共和国境内收集的个人信息存储在境内。

## 十、联系我们

请通过各大赛页面和规则中公布的组委会联系方式与我们联系。您也可以向网信、公安等部门投诉、举报。

## 十一、本规则的更新

本规则更新时，我们发布新的版本，并在您下次登录时请您阅读并重新同意。
"""

BODY_EN = """\
This notice follows the Personal Information Protection Law of the People's Republic of China (PIPL) and \
related rules. It explains how the organising committee that runs this platform and its contests ("we") \
handles your personal information. Please read it before you register. A contest's own additions, if any, are \
shown on that contest's pages and apply together with this notice.

## 1. What we collect

1. **Account**: e-mail address, name, mobile number (given with an entry), interface language. Your password is \
stored only as a one-way hash: nobody can read it.
2. **Entrant profile**: category (professional, worker, student, master craftsperson), whether you enter as an \
individual, a team or an organisation, employer, school; a student entry's supervisor's name and e-mail; team \
members' names; the name shown with your work in public.
3. **Your work**: the images, PDFs, videos and source files you upload, with their descriptions and your answers \
to the entry form. The copies of images that judges and the public see carry no metadata (such as the time and \
place of capture); the original files are kept as you uploaded them, for the committee only.
4. **Entry records**: when you submitted and changed an entry, the versions of the originality declaration and \
IP terms you accepted, each file's checksum, your receipt number.
5. **Use of the site**: sessions (IP address, browser, times); counts of log-in, registration and voting \
attempts (against password guessing and vote stuffing); access logs (IP address, page, time); and an audit log \
of who did what, when.
6. **What else you send us**: an objection to the published results, under your real name (name, e-mail, \
phone); your e-mail address when you vote in a popular vote.

## 2. Sensitive personal information

Sensitive personal information is information whose leak or misuse could easily harm a person's dignity, safety \
or property: ID numbers, bank and other financial accounts, whereabouts, and **any personal information of a \
child under 14**.

We **do not collect** sensitive personal information when you register or enter. We collect it only when needed, \
and tell you when we do:

- a winner's ID number and bank account when a prize is paid, to pay it and withhold income tax as the law \
requires;
- information about an entrant under 14, which their parent or guardian must agree to and fill in.

The **separate consent** to sensitive personal information on the registration page is optional: without it you \
can still register and enter, and we will ask again when it is needed.

## 3. Why and how we use it

- to run your account and send you e-mails (account confirmation, receipts, results);
- to run the call for entries, the judging, the public notice and the awards. Judging is normally blind: judges \
see the work and an anonymous number, not your name or organisation. To keep it so, the system checks the images \
and files of an entry for the entrant's name, phone number and the like;
- after the results are announced, to show the awarded works with the names you gave;
- to keep the site safe: against account misuse, password guessing and vote stuffing, and to handle objections \
and complaints;
- to meet legal duties, such as keeping network logs and withholding income tax.

We do not use your information for anything unrelated to the contests, we do not sell it, and no automated \
decision sets the results (judges give the scores).

## 4. Who sees it

- **Committee staff**: what running the contest needs, by their role;
- **Judges**: normally the work and its anonymous number only; a round where judges see who made the work (such \
as a final presentation) is announced by the contest beforehand;
- **The public**: the awarded works and their names, after the announcement;
- **Processors acting for us**, such as e-mail and cloud storage providers, only on our instructions and bound by \
contract;
- nobody else, unless a law requires it or you give separate consent.

## 5. How long we keep it

- Account: until you close it;
- Entries and their records: until the period the contest announces after its results notice ends; the public \
record of awarded works and the audit log are kept longer for the archive and for audit, without what identifies \
you;
- Access logs: at least six months (Cybersecurity Law, article 21);
- After that, we delete or anonymise it.

## 6. Your rights

You may see, copy, correct, complete and delete your personal information, withdraw your consent, close your \
account, and ask us to explain this notice. Withdrawing consent does not affect what was done with it before. \
Once logged in, you download your information and correct your profile on "My data", withdraw consent on \
"My consents" and close your account on "Delete my account"; for anything else contact us as below, and we \
answer within 15 working days.

## 7. Children

An entrant under 14 takes part only with the consent of a parent or guardian, who reads this notice and fills in \
the information.

## 8. Security

Encrypted connections (HTTPS), passwords kept only as hashes, uploaded files stored under random names, access by \
role, and important actions recorded in a tamper-evident audit log. If personal information leaks, we act at once \
and inform you and the authorities as the law requires.

## 9. Where it is stored

Personal information collected in the People's Republic of China is stored there.

## 10. Contact

Contact the committee at the address and telephone number given on each contest's pages and rules. You may also \
complain to the cyberspace administration or the public security authorities.

## 11. Changes

When this notice changes we publish a new version and ask you to read and accept it at your next log-in.
"""

DEFAULT_NOTICE = DefaultNotice(title="个人信息处理规则", title_en="Privacy notice", body=BODY, body_en=BODY_EN,
                               created_at=datetime(2026, 12, 7, tzinfo=UTC))
