"""The text front-end (Rich): the lesson player and quiz, the commands' printing, the run report and the lab's view."""
