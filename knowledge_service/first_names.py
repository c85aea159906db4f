"""Given names found in lower case (see :func:`privacy.names._lower_case_names`).

Written by ``scripts/first_names.py`` from Faker's English given names, less ordinary
English words; do not edit by hand."""

_NAMES = """
    aaliyah aaron abbey abbi abbie abby abdul abigail adam addison adele adrian adriana adrienne
    aedan aidan aideen aiden aileen ailis aimee aine aisling aislinn alan alana alanis alanna
    alannah alastair albert alec aleisha alejandra alejandro alex alexa alexander alexandra
    alexandria alexis alfred alice alicia alisha alison alistair alister alix allan allen allison
    alvin alyssa amaia amanda amelia amie amy amy-lee amy-leigh ana anahera anaru anastasia andre
    andrea andres andrew angela angelica angelina angie anika anita ann anna annabelle annalise anne
    anne-marie annette annie anthony antoin antoinette anton antonio antony aodhan aoibheann aoibhin
    aoibhinn aoife arabella archie ari ariana arianne ariel ariki arlo arron arthur asher ashlee
    ashleigh ashlene ashley ashling ashton audrey ava ayesha ayla bailey bailie barbara barry
    beauden becky belinda bella ben benjamin benn bernadette bernard beth bethan bethany betty bevan
    beverley beverly bianca billie billie-jo billy blaine blair blake blanaid bob bobby bodhi brad
    bradley brady brandi brandon braxton brayden breandan breanna brenda brendan brendon brent brett
    brian briana brianna bridget brigid britney brittany brittney brodie brogan bronach bronagh
    bronwyn brooke bruce bryan bryce bryony cahal cahir cailin cailum caitlin caitlyn caitriona
    caleb callan callum calum calvin cameron campbell candace candice caoilfhionn caoimhe caoimhin
    caolain caolan caomhan cara caragh carl carla carlos carly carmen carole caroline carolyn carrie
    casey cassandra cassidy cassie cathal catherine cathy catriona ceara celine cesar chantel
    chantelle charis charlene charles charlie charlotte chelsey cherie cherith cheryl chloe chris
    christie christina christine christopher christy cianan ciara ciaran ciarrai cillian cindy
    claire clara clare clarence clarissa clark claudia clayton clifford cliodhna cliona clive
    clodagh codie cody cohen colin colleen collette collin colm colton colum conal conall conan
    conchur conn connie connor conor conrad constance cora corey corinne cormac corrie cortney cory
    courteney courtney craig cristian cristina curtis cynthia daire dairine dalton damian damien
    damon dan dana daniel danielle danny dara darcy darin darius darlene darragh darrell darren
    darrin darryl darryn daryl dave david dayna deaglan deane deanna dearbhail dearbhaile dearbhla
    debbie deborah debra declan deirbhile demi demi-lee demi-leigh denis denise dennis derek dermot
    derrick dervla desiree desmond devin diana diane dianne diarmuid dillon dion dionne domhnall
    dominic dominique donal donald donna doris dorothy douglas duane duncan dustin dwayne dylan
    eadaoin eamon eamonn eddie edel edgar eduardo edward edwin eileen eilis eilish eimear eimer
    eimhear elaine eleanor eli elijah elise elisha elizabeth ella ellen ellie elliot elliott eloise
    elsie emer emilia emilie emily emma emma-louise emmet emmett enda enya eoghan eoin eric erica
    erik erika erin ernest eryn esther ethan euan eugene eunan eva evan evelyn evie ewan ezra
    fainche faye feargal fearghal felicia felix fergal fergus fernando finbar finn fintan fiona
    fionntan fionnuala florence flynn frances francesca francis francisco frankie franklin fraser
    frazer fred frederick freya gabriel gabriela gabriella gabrielle gail gareth garrett garry gary
    gavin gaylene gemma geoffrey george georgina gerald geraldine gerard gilbert giles gillian gina
    glenda glenn glenys gloria gordon graeme graham grainne grayson greg gregg gregory gwendolyn
    hailey haley hamish hana hannah harold harriet harrison harry harvey hayden hayleigh hayley
    hector heidi helen helena hemi henry herbert hilary hinewai hoani hollie howard hugh hugo iain
    ian ihaia imogen irene isaac isabel isabella isabelle isaiah isla isobel israel ivan jackie
    jaclyn jacob jacqueline jaime jake jakob james jamie jamie-lee jamie-leigh jana jane janet
    janette janice janine jared jarlath jarrod jasmin jason jasper javier jaxon jayde jayden jayne
    jeanette jeanne jeff jeffery jeffrey jemma jena jenna jenni jennifer jenny jeremiah jeremy
    jermaine jerome jerry jesse jessica jessie jill jillian jim jimmy jo joan joann joanna joanne
    jocelyn jodi jodie jody joe joel johanna john johnathan johnny jolene jon jonathan jonathon
    jordan jordon jorge jorja jose joseph josephine josh joshua josiah joyce juan jude judith judy
    julia julian julie julie-anne justin justine kahurangi kaia kaitlin kaitlyn kaleb kane kara
    karen kari karina karl karla karley karyn kate katelyn katharine katherine kathleen kathryn
    kathy katie katie-louise katrina katy kayden kaye kayla kaylee kayleigh kealan keanu keegan
    keelan keely keeva keira keith kelli kellie kelly kelly-anne kelly-marie kelsey kelvin kendra
    kenneth keri kerri kerrie kevin khloe kiara kiera kieran killian kim kimberley kimberly kira
    kirk kirsten kirstie kirstin kirsty kora kori krista kristen kristi kristian kristie kristin
    kristina kristine kristopher kristy krystal kurt kurtis kyla kyle kylie lacey lachlan lana
    laoise lara larry latasha latoya laura lauren laurie lawrence layla leah leanne lee leigh leo
    leon leona leonard leonie leroy lesley leslie levi lewis liam libby lilly linda lindsay lindsey
    lisa lisa-marie lloyd logan lois lola lonnie lorcan loretta lori lorna lorraine louis louise
    luca lucas lucia lucinda lucy luis luka lukas luke lydia lynda lyndon lyndsay lyndsey lynette
    lynley lynn lynne lynnette lynsey macauley mackenzie maddison madeleine madeline maeve maia
    mairead mairtin makayla malachy malcolm malik mallory manawa mandy manuel manus maraea marc
    marcia marco marcus maree mareikura margaret maria mariah marian marie marie-claire marilyn
    mario marion marisa marissa martha martin martina martyn marvin mary mathew matilda matiu
    matthew maura maureen maurice maxwell maya mckenzie meabh meagan meaghan meg megan meghan meibh
    melanie melinda melissa melvin mereana meredith mervyn mia micah michael michaela micheal
    micheala michele michelle miguel mikaela mikaere mikayla mila millie mindy miranda miriam
    miriama mitchel mitchell mohamed mohammad mohammed mollie molly monica monique morgan murray mya
    myles nadia nadine nancy naoimh naoise naomh naomi natalie natasha nate nathan nathaniel neil
    nevaeh neville ngaire nia niall niamh nichola nicholas nichole nicola nicolas nicole nigel nikau
    nikita nikki niko nikora nina nixon noah nora norma norman nuala odhran oisin oliver olivia omar
    oonagh oran orfhlaith orla orlagh orlaigh orlaith oscar owen padraic padraig padraigin paige pam
    pamela parker patrice patricia patrick patty paul paula pauline pauric payton peadar pearce
    pearse pedro peggy penelope perry peter peyton philip philippa phillip phoebe phyllis piaras
    pippa polly preston priscilla quentin quinn rachael rachel rachelle raewyn ralph randall rawiri
    raymond rebecca rebekah reece regan reginald renee reuben rhian rhianna rhianne rhiannon rhonda
    rhys ria rian ricardo richard rick rickey ricky riley rita robbie robert roberta roberto robyn
    rochelle rodney roger rohan roise roisin ronald ronan ronnie rory roseanna rosie ross rowan roy
    ruairi ruari ruben russell ruth ryan ryder sabrina sacha sadie sally sam samantha samuel sandra
    saoirse sara sarah sarah-jane sarah-louise sasha saskia saul scarlett scot scott seamus sean
    sean-paul seana seanan seaneen seanna sebastian selena selina seona serena sergio seth shakira
    shane shania shanice shanna shannan shannen shannon shari sharlene sharon shaun shauna shauneen
    shawn shawna shay shayne sheena sheila shelby shelia shelley shelly sheree sheri sherri sheryl
    shirley shona sian sienna simon simone sinead siobhan siofra sione skyla skylar sofia sonia
    sonya sophia sophie sophie-louise sorcha spencer stacey stacie stacy stanley stefan stefanie
    stella stephanie stephen steve steven stewart stuart susan susanna susannah suzanne sylvia
    tabitha taine tamara tamati tami tammie tammy tangaroa tania tanya tara tasha tayla taylor tegan
    terence teresa terina terrance terrence terri terry tess tessa thea theo theodore theresa
    therese thomas tia tiana tiare tiarna tiarnan tiegan tiernan tiffany tim timothy tina tobias
    toby todd tom tomas tommy toni tonicha tony tonya tori tracey traci tracie tracy travis trent
    trevor tricia tristan troy tyla tyler tyson ursula valerie vanessa vaughan vernon veronica vicki
    vickie vicky victor vincent vivienne waimarie walter wanda warren wayne wendy wesley whitney
    wikitoria william willie wiremu wyatt xavier yasmin yasmine yesenia yolanda yvette yvonne zac
    zach zachary zak zane zara zoe zoey
"""
FIRST_NAMES = frozenset(_NAMES.split())
