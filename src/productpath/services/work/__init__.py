"""Work as it is delivered: ingesting git history and issue-tracker exports, linking commits and
tracker items to initiatives, delivery status and flow metrics, and engineering health of a
repository folder. The pages and reports read delivery through here.
"""
