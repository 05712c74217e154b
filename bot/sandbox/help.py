"""The console's ``help``: what each line does, with examples from the demo community."""

from __future__ import annotations

GENERAL = """\
Act as someone (they must be in the server):
  as alice say #welcome hello everyone            post in a channel or thread
  as alice dm I need to talk                      write to Kindred privately
  as alice /support                               run a slash command (in their last channel)
  as maya in #moderators /peers stats days=7      … in a given channel (or: in dm)
  as maya /checkin create channel=#check-ins schedule="daily 09:00" tz=Europe/London
  as pat click Claim                              press the newest button they can see
  as pat click Claim on m4                        … on one message (m4), channel (#peers) or dm
  as alice submit topic="rough week" anonymous=no answer the last form Kindred showed them
Look around:
  show #peers        show dm alice        show thread support-1        show threads
  show m4            who                  clock                        clock +2h
More: help as · help show · help clock · help commands · help /<command> · quit (or Ctrl-D)"""

TOPICS = {
    "as": """\
as <member> say <#channel> <text>     the text goes to Kindred exactly as a member would type it
as <member> dm <text>                 a direct message to Kindred
as <member> [in <#channel>|in dm] /<command> [name=value …]
    option values: members by name (pat), channels #name, roles @name, yes/no, numbers;
    quote values with spaces: summary="work stress and not sleeping"
    without 'in', the command runs where that member last spoke (at first: #welcome)
as <member> click <label> [on m<N>|<#channel>|dm]   a button or a menu option, by its label
as <member> submit field=value …      the last form Kindred showed that member""",
    "show": """\
show <#channel>       the last messages there (Kindred's and members')
show dm <member>      Kindred's private messages with that member
show thread [<name>]  a thread (default: the newest); show threads lists them
show m<N>             one message, by the handle printed beside it""",
    "clock": """\
clock                 the bot's time now (the sandbox clock, not your computer's)
clock +2h             move it forward (+30m, +1d, +1d2h30m): every timer due on the way runs
                      at its time (check-ins, reminders, escalations, shift starts)""",
}
