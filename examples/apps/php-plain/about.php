<?php
echo "about plain php\n";
