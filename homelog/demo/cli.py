"""flask --app homelog demo load"""

import click

demo_cli = click.Group("demo", help="The demo partnership.")
