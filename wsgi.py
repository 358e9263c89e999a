from statements import create_app

app = create_app()
