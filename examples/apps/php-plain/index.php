<?php
// A PHP app without composer.json: kctl detects it from its source bytes, Apache serves the folder.
header('Content-Type: text/plain');
echo "hello from plain php\n";
