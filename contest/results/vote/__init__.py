"""The popular vote (网络人气奖): when it runs, who may vote, how often, and which votes look stuffed.

When: while the final round runs. The vote opens with the contest's final round (its last round by
position, of the final kind) and closes at the earliest of that round's closing time, its locking
and the announcement (embargo.results_public). So every vote counted is in the final round's
figures, which blend in non-voided votes with contest.popular_vote_share (judging.standings),
before anyone proposes awards from them, and nothing moves the figures of a locked round.

Who: an e-mail address proven by a 6-digit code sent through the outbox. Only a bare address is
accepted (no display name, comment or quoting), and the voter is its canonical mailbox (case,
+tag, and for Gmail the dots and googlemail.com folded): li.ming+1@googlemail.com and
LiMing@gmail.com are one voter, in the quota and in the stuffing rules. Only a hash of the code is
kept, with its expiry in the same column since Voter has no other: "<expiry, Unix seconds>:<hash>".

Or, when the contest turns on contest.popular_vote_phone, a mainland mobile number proven by a code
sent by text message (docs/sms.md): then the number is the voter.

How often: contest.popular_vote_daily_quota votes per voter per day of the contest's time zone, at
most one per entry and day. A voided vote still used up its place in the quota.

Stuffing: detect() flags velocity (one address or one voter voting faster than people do) and
clusters (many voters behind one address or one /24, one mailbox behind plus-addressing, numbered
local parts on one domain). Nothing is voided automatically: a campus or an office behind one
address looks like a cluster too, so an organiser decides, and each voiding is audited and counted
in the public summary by its rule, never with an address or a name.

The modules, one part each; import the one you need:
- window: when the vote is open (the final round's span, the phase, the voting day);
- candidates: the final round's entries as candidates, keyed so nothing follows rank or id;
- codes: who may vote (the canonical mailbox, the e-mailed code, the verified voter);
- phones: who may vote when the contest counts per phone number (a number proven by a text message);
- ballots: casting a vote within the daily quota;
- stuffing: the rules that flag suspicious votes, and voiding them;
- counts: the public summary and the organisers' tallies per candidate.
"""
